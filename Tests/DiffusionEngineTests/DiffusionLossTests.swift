import Testing
import DiffusionEngine

/// pLosses: what the model sees (OPT 2), the loss values and the gradient handed to backward.
@Suite struct DiffusionLossTests {
    static let schedule = try! NoiseSchedule(.linear, timesteps: 100)

    struct Batch {
        let x0: Tensor
        let noise: Tensor
        let t: [Int]
    }

    static func batch(seed: UInt64 = 21) -> Batch {
        var g = RandomGenerator(seed: seed)
        let x0 = smoothImages(n: 2, c: 3, h: 3, w: 3, seed: seed)
        return Batch(x0: x0, noise: g.normalTensor(x0.shape), t: [7, 80])
    }

    @Test func lossInputX0FeedsTheCleanImage() {
        let b = Self.batch()
        for input in FixSet.LossInput.allCases {
            let model = RecordingDenoiser(LinearDenoiser(channels: 3))
            let d = GaussianDiffusion(schedule: Self.schedule, fixes: FixSet(lossInput: input))
            let r = d.pLosses(model: model, x0: b.x0, t: b.t, noise: b.noise)
            #expect(model.inputs.count == 1 && model.timesteps[0] == [7, 80])
            let xt = d.qSample(b.x0, t: b.t, noise: b.noise)
            switch input {
            case .xt: #expect(model.inputs[0] == xt && model.inputs[0] != b.x0)
            case .x0: #expect(model.inputs[0] == b.x0)
            }
            #expect(r.modelInput == model.inputs[0])
        }
    }

    @Test(arguments: Objective.allCases)
    func targetsPerObjective(objective: Objective) {
        let b = Self.batch()
        let d = GaussianDiffusion(schedule: Self.schedule, objective: objective)
        let r = d.pLosses(model: LinearDenoiser(channels: 3), x0: b.x0, t: b.t, noise: b.noise)
        for i in 0..<b.x0.count {
            let s = i / 27
            let a = Self.schedule.sqrtAlphasCumprod[b.t[s]], c = Self.schedule.sqrtOneMinusAlphasCumprod[b.t[s]]
            let expected: Float
            switch objective {
            case .epsilon: expected = b.noise.data[i]
            case .x0: expected = b.x0.data[i]
            case .v: expected = a * b.noise.data[i] - c * b.x0.data[i]
            }
            #expect(abs(r.target.data[i] - expected) < 1e-6)
        }
    }

    @Test(arguments: FixSet.LossKind.allCases)
    func lossValuesAndPerSampleMeans(loss: FixSet.LossKind) {
        let b = Self.batch()
        let d = GaussianDiffusion(schedule: Self.schedule, fixes: FixSet(loss: loss))
        let r = d.pLosses(model: LinearDenoiser(channels: 3), x0: b.x0, t: b.t, noise: b.noise)
        var manual = 0.0
        for i in 0..<r.prediction.count {
            let e = Double(r.prediction.data[i] - r.target.data[i])
            manual += loss == .l1 ? abs(e) : e * e
        }
        manual /= Double(r.prediction.count)
        #expect(abs(Double(r.loss) - manual) < 1e-6)
        #expect(abs((r.perSample[0] + r.perSample[1]) / 2 - r.loss) < 1e-6)
        #expect(r.perSample[0] != r.perSample[1])
        #expect(r.t == b.t)
    }

    /// The gradient `pLosses` passes to backward, checked through the parameters of a linear model.
    @Test(arguments: FixSet.LossKind.allCases, Objective.allCases)
    func gradientMatchesFiniteDifferences(loss: FixSet.LossKind, objective: Objective) {
        let b = Self.batch()
        let model = LinearDenoiser(channels: 3, seed: 17)
        let d = GaussianDiffusion(schedule: Self.schedule, objective: objective, fixes: FixSet(loss: loss))
        model.store.zeroGrads()
        let r = d.pLosses(model: model, x0: b.x0, t: b.t, noise: b.noise)
        let analytic = model.store.grads
        // L1 has kinks where out = target; finite differences are valid when none is within reach.
        let margin = zip(r.prediction.data, r.target.data).map { abs($0 - $1) }.min()!
        #expect(margin > 5e-3, "a residual of \(margin) sits too close to the L1 kink for h = 1e-3")
        let h: Float = 1e-3
        for i in 0..<model.store.count {
            let old = model.store.values[i]
            model.store.values[i] = old + h
            let up = d.pLosses(model: model, x0: b.x0, t: b.t, noise: b.noise).loss
            model.store.values[i] = old - h
            let down = d.pLosses(model: model, x0: b.x0, t: b.t, noise: b.noise).loss
            model.store.values[i] = old
            let numeric = (up - down) / (2 * h)
            #expect(abs(numeric - analytic[i]) < 2e-3 + 1e-2 * abs(numeric), "\(loss) \(objective) parameter \(i): \(numeric) vs \(analytic[i])")
        }
    }

    @Test func lossScaleScalesOnlyTheGradientAndGradientsAccumulate() {
        let b = Self.batch()
        let model = LinearDenoiser(channels: 3)
        let d = GaussianDiffusion(schedule: Self.schedule)
        model.store.zeroGrads()
        let full = d.pLosses(model: model, x0: b.x0, t: b.t, noise: b.noise)
        let g1 = model.store.grads
        model.store.zeroGrads()
        let half = d.pLosses(model: model, x0: b.x0, t: b.t, noise: b.noise, lossScale: 0.5)
        #expect(half.loss == full.loss)
        for i in 0..<g1.count { #expect(abs(model.store.grads[i] - 0.5 * g1[i]) < 1e-6) }
        _ = d.pLosses(model: model, x0: b.x0, t: b.t, noise: b.noise, lossScale: 0.5)
        for i in 0..<g1.count { #expect(abs(model.store.grads[i] - g1[i]) < 1e-5) }   // += , not =
    }

    @Test func randomTimestepsCoverTheRange() {
        var g = RandomGenerator(seed: 1)
        let t = GaussianDiffusion(schedule: Self.schedule).randomTimesteps(2000, rng: &g)
        #expect(t.allSatisfy { $0 >= 0 && $0 < 100 })
        #expect(Set(t).count == 100)
    }
}
