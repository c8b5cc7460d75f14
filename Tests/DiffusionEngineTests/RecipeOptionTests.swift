import DiffusionEngine
import Foundation
import Testing

/// The recipe's options beyond the course's: augmentation modes, the learning-rate schedule in a
/// run, min-SNR weights, and their JSON (absent while off, so older runs' bytes are unchanged).
@Suite struct RecipeOptionTests {
    /// Two 6x6 images with distinct pixels, cut to 4x4.
    static func set() throws -> TrainingSet {
        try TrainingSet(images: Tensor(shape: [2, 1, 6, 6], data: (0..<72).map(Float.init)), size: 4, names: [])
    }

    static func window(_ b: Tensor, _ slot: Int) -> [Float] { Array(b.data[slot * 16..<(slot + 1) * 16]) }

    @Test func flipTakesTheCentreWindowMirroredAboutHalfTheTime() throws {
        let ds = try Self.set()
        var r0 = RandomGenerator(seed: 0)
        let centre = Self.window(ds.batch([0], augment: .off, rng: &r0), 0)
        let mirrored = (0..<4).flatMap { y in (0..<4).map { x in centre[y * 4 + 3 - x] } }
        var rng = RandomGenerator(seed: 5)
        let b = ds.batch(Array(repeating: 0, count: 200), augment: .flip, rng: &rng)
        var flips = 0
        for s in 0..<200 {
            let w = Self.window(b, s)
            #expect(w == centre || w == mirrored)
            if w == mirrored { flips += 1 }
        }
        #expect(flips > 60 && flips < 140, "\(flips) of 200 mirrored")
        // crop-flip still cuts other windows (the course's transform).
        var rng2 = RandomGenerator(seed: 5)
        let c = ds.batch(Array(repeating: 0, count: 50), augment: .cropFlip, rng: &rng2)
        #expect((0..<50).contains { Self.window(c, $0) != centre && Self.window(c, $0) != mirrored })
    }

    @Test func augmentationJSONKeepsTheBoolsOfOlderRuns() throws {
        let enc = JSONEncoder()
        #expect(String(decoding: try enc.encode([Augmentation.off, .cropFlip, .flip]), as: UTF8.self) == #"[false,true,"flip"]"#)
        let back = try JSONDecoder().decode([Augmentation].self, from: Data(#"[false,true,"flip","crop-flip","off"]"#.utf8))
        #expect(back == [.off, .cropFlip, .flip, .cropFlip, .off])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Augmentation].self, from: Data(#"["mirror"]"#.utf8)) }
    }

    @Test func scheduleAndWeightingAreWrittenOnlyWhenOn() throws {
        var o = TrainingOptions()
        let plain = String(decoding: try JSONEncoder().encode(o), as: UTF8.self)
        #expect(!plain.contains("warmupSteps") && !plain.contains("lrDecay") && !plain.contains("minSNR"))
        o.warmupSteps = 100
        o.lrDecay = .cosine
        o.minSNR = 5
        o.augment = .flip
        let data = try JSONEncoder().encode(o)
        #expect(try JSONDecoder().decode(TrainingOptions.self, from: data) == o)
        #expect(String(decoding: data, as: UTF8.self).contains(#""lrDecay":"cosine""#))
    }

    /// `TrainingOptions.interactive` (on a folder) is the PyTorch trainer's `--recipe workbench`:
    /// both write the committed JSON (reference/tests/test_checkpoint.py checks the twin's).
    @Test func workbenchRecipeIsTheTwinsJSON() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/workbench_recipe.json")
        let committed = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try enc.encode(TrainingOptions.interactive), as: UTF8.self) == committed)
    }

    @Test func trainerStepsTakeTheScheduledRate() throws {
        var o = TrainingOptions()
        o.preset = "fixture"
        o.model = .fixture
        (o.batchSize, o.accumulate, o.steps, o.augment) = (2, 1, 6, .off)
        (o.warmupSteps, o.lrDecay) = (3, .cosine)
        var g = RandomGenerator(seed: 1)
        let images = g.uniformTensor([4, 3, 8, 8], lo: -1, hi: 1)
        let trainer = try Trainer(options: o, dataset: TrainingSet(images: images, size: 8, names: []))
        var rates: [Float] = []
        for _ in 0..<6 {
            try trainer.trainStep()
            rates.append(trainer.adam.lr)
        }
        #expect(rates == (1...6).map { o.learningRate(atStep: $0) })
        #expect(rates[0] < rates[1] && rates[1] < rates[2], "warm-up rises: \(rates)")
        #expect(rates[2] > rates[4] && abs(rates[5] - 0.1 * o.learningRate) < 1e-9, "then decays to 10%: \(rates)")
    }

    @Test func minSNRWeightsFollowTheObjective() throws {
        var o = TrainingOptions()
        let t = [0, 100, 500, 999]
        for objective in Objective.allCases {
            o.objective = objective
            let d = try o.makeDiffusion()
            let w = d.minSNRWeights(t, gamma: 5)
            for (ti, wi) in zip(t, w) {
                let ac = Double(d.schedule.alphasCumprod[ti]), snr = ac / (1 - ac)
                let expected = objective == .epsilon ? min(snr, 5) / snr : objective == .x0 ? min(snr, 5) : min(snr, 5) / (snr + 1)
                #expect(abs(Double(wi) - expected) <= 1e-6 * max(expected, 1e-30), "\(objective) t=\(ti)")
            }
        }
        // Unit weights change nothing; a weight scales its sample's gradient and loss share.
        let d = try TrainingOptions().makeDiffusion()
        var g = RandomGenerator(seed: 2)
        let x0 = g.uniformTensor([2, 3, 8, 8], lo: -1, hi: 1), noise = g.normalTensor([2, 3, 8, 8])
        let m1 = try UNet(config: .fixture, seed: 4), m2 = try UNet(config: .fixture, seed: 4)
        let plain = d.pLosses(model: m1, x0: x0, t: [10, 900], noise: noise)
        let weighted = d.pLosses(model: m2, x0: x0, t: [10, 900], noise: noise, weights: [1, 1])
        #expect(plain.loss == weighted.loss && m1.store.grads == m2.store.grads)
        let m3 = try UNet(config: .fixture, seed: 4)
        let half = d.pLosses(model: m3, x0: x0, t: [10, 900], noise: noise, weights: [0.5, 0.5])
        #expect(abs(half.loss - 0.5 * plain.loss) <= 1e-6 * plain.loss && half.perSample == plain.perSample)
        #expect(zip(m3.store.grads, m1.store.grads).allSatisfy { abs($0 - 0.5 * $1) <= 1e-6 * max(abs($1), 1e-12) })
    }
}
