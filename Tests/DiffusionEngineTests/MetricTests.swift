import Testing
import DiffusionEngine

@Suite struct MetricTests {
    /// Small settings so the suite stays fast in debug builds (the defaults are the paper's).
    static let config = SlicedWassersteinDistance.Configuration(patchesPerImage: 32, projections: 32, repeats: 2, seed: 5)

    @Test func laplacianPyramidCollapsesBackToTheImage() {
        let x = smoothImages(n: 2, c: 3, h: 32, w: 32)
        let levels = LaplacianPyramid.build(x, levels: 3)
        #expect(levels.map { $0.shape } == [[2, 3, 32, 32], [2, 3, 16, 16], [2, 3, 8, 8]])
        var g = levels[2]
        for i in stride(from: 1, through: 0, by: -1) {
            g = levels[i] + LaplacianPyramid.up(g, height: levels[i].shape[2], width: levels[i].shape[3])
        }
        #expect(g.maxAbsDifference(x) < 1e-5)
        // A constant image has no detail: the Laplacian levels are 0 and the residual keeps the value.
        let flat = Tensor(repeating: 0.3, shape: [1, 1, 16, 16])
        let p = LaplacianPyramid.build(flat, levels: 2)
        #expect(p[0].data.allSatisfy { abs($0) < 1e-6 })
        #expect(p[1].data.allSatisfy { abs($0 - 0.3) < 1e-6 })
    }

    @Test func wassersteinOneDimensional() {
        typealias S = SlicedWassersteinDistance
        #expect(S.wasserstein1([0, 1], [0, 1]) == 0)
        #expect(abs(S.wasserstein1([0], [1, 3]) - 2) < 1e-12)
        #expect(abs(S.wasserstein1([0, 1, 2, 3], [0.5, 2.5]) - 0.5) < 1e-12)
        #expect(abs(S.wasserstein1([0, 1, 2], [1, 2, 3]) - 1) < 1e-12)
    }

    @Test func swdOfASetWithItselfIsSmallAndGrowsWithNoise() throws {
        let images = smoothImages(n: 8, c: 3, h: 32, w: 32, seed: 12)
        let selfDistance = try SlicedWassersteinDistance.compute(images, images, configuration: Self.config)
        #expect(selfDistance.levelResolutions == [32, 16])
        #expect(selfDistance.perLevel.count == 2)
        var g = RandomGenerator(seed: 13)
        let noise = g.normalTensor(images.shape)
        var previous = selfDistance.mean
        var values: [Float] = [selfDistance.mean]
        for sigma: Float in [0.05, 0.2, 0.5] {
            var noisy = images
            for i in 0..<noisy.count { noisy.data[i] += sigma * noise.data[i] }
            let d = try SlicedWassersteinDistance.compute(images, noisy, configuration: Self.config)
            values.append(d.mean)
            #expect(d.mean > previous, "SWD ×1e3 by noise level: \(values)")
            previous = d.mean
        }
        // "≈ 0": the set against itself (different random patches) is far below even light noise.
        #expect(values[0] < 0.5 * values[1], "SWD ×1e3 by noise level: \(values)")
        #expect(values[3] > 3 * values[0])
        // Reproducible from the seed, and the cached-reference path gives the same numbers.
        #expect(try SlicedWassersteinDistance.compute(images, images, configuration: Self.config) == selfDistance)
        let reference = try SlicedWassersteinDistance.referenceDescriptors(of: images, configuration: Self.config)
        #expect(try SlicedWassersteinDistance.compute(images, against: reference, configuration: Self.config) == selfDistance)
        #expect(throws: EngineError.self) {
            try SlicedWassersteinDistance.compute(Tensor(zeros: [1, 1, 32, 32]), against: reference, configuration: Self.config)
        }
    }

    @Test func swdRejectsMismatchedSets() {
        let a = Tensor(zeros: [2, 3, 32, 32]), b = Tensor(zeros: [2, 1, 32, 32])
        #expect(throws: EngineError.self) { try SlicedWassersteinDistance.compute(a, b) }
        #expect(throws: EngineError.self) { try SlicedWassersteinDistance.compute(Tensor(zeros: [1, 3, 4, 4]), Tensor(zeros: [1, 3, 4, 4])) }
    }

    @Test func nearestNeighbourOfTrainingImagesIsThemselves() throws {
        let train = smoothImages(n: 5, c: 3, h: 8, w: 8)
        let r = try NearestNeighbourDistance.compute(samples: train, training: train)
        #expect(r.meanRMSE == 0)
        #expect(r.nearestIndex == [0, 1, 2, 3, 4])
    }

    @Test func nearestNeighbourOfUniformNoiseIsRootOneThird() throws {
        // Training set: constant images 0, +0.5, -0.5. Uniform noise in [-1, 1] is nearest to the zero
        // image, at RMSE √(E u²) = √(1/3) ≈ 0.5774 (vs √(1/3 + 1/4) to the others).
        var train = Tensor(zeros: [3, 3, 16, 16])
        let per = 3 * 16 * 16
        for i in 0..<per { train.data[per + i] = 0.5; train.data[2 * per + i] = -0.5 }
        var g = RandomGenerator(seed: 3)
        let noise = g.uniformTensor([4, 3, 16, 16], lo: -1, hi: 1)
        let r = try NearestNeighbourDistance.compute(samples: noise, training: train)
        #expect(r.nearestIndex == [0, 0, 0, 0])
        #expect(abs(r.meanRMSE - 0.5774) < 0.01)
        #expect(throws: EngineError.self) { try NearestNeighbourDistance.compute(samples: noise, training: Tensor(zeros: [1, 3, 8, 8])) }
    }
}
