import DiffusionEngine
import Foundation
import Testing

/// A VAE run through the shared loop (`Trainer`): small 8x8 runs with the fixture VAE.
func smallVAEOptions(steps: Int = 6) -> TrainingOptions {
    var o = smallOptions(steps: steps)
    o.family = .vae
    o.vae = .fixture
    o.vae.klWarmupSteps = 4
    return o
}

@Suite struct VAETrainingTests {
    @Test func lossFallsAndTermsAreRecorded() throws {
        var o = smallVAEOptions(steps: 25)
        o.augment = .off
        o.learningRate = 3e-3
        o.maxGradNorm = 100
        let trainer = try Trainer(options: o, dataset: try smallTrainingSet(count: 4))
        var last: Trainer.StepResult?
        for _ in 0..<25 { last = try trainer.trainStep() }
        let first = trainer.lossHistory.prefix(3).reduce(0, +) / 3, end = trainer.lossHistory.suffix(3).reduce(0, +) / 3
        #expect(end < first, "loss did not fall: \(first) -> \(end)")
        #expect(Set(trainer.termHistory.keys) == ["reconstruction", "kl", "kl_weight", "rmse"])
        #expect(trainer.termHistory["kl_weight"]?.prefix(6) == [0, 0.125, 0.25, 0.375, 0.5, 0.5])  // β 0.5 over 4 steps
        let r = try #require(last)
        #expect(abs(r.loss - (r.terms["reconstruction"]! + 0.5 * r.terms["kl"]!)) <= 1e-3 * r.loss)
        let noBuckets = trainer.bucketLoss.allSatisfy { $0.isNaN }
        #expect(noBuckets, "a VAE has no timesteps to bucket")
        #expect(trainer.diffusion == nil)
    }

    @Test func resumeIsExact() throws {
        let data = try smallTrainingSet()
        let straight = try Trainer(options: smallVAEOptions(), dataset: data)
        for _ in 0..<6 { try straight.trainStep() }
        let dir = temporaryDirectory("vae-resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try Trainer(options: smallVAEOptions(), dataset: data)
        for _ in 0..<3 { try first.trainStep() }
        try first.saveCheckpoint(path: dir + "/c.safetensors")
        let resumed = try Trainer(resuming: Checkpoint.load(path: dir + "/c.safetensors"), dataset: data)
        for _ in 0..<3 { try resumed.trainStep() }
        #expect(resumed.lossHistory == straight.lossHistory)
        #expect(resumed.termHistory == straight.termHistory)
        let same = resumed.model.store.values == straight.model.store.values && resumed.ema.values == straight.ema.values
        #expect(same)
    }

    @Test func checkpointHoldsTheVAEUnderTheTwinsNames() throws {
        let trainer = try Trainer(options: smallVAEOptions(), dataset: try smallTrainingSet())
        try trainer.trainStep()
        let dir = temporaryDirectory("vae-ckpt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try trainer.saveCheckpoint(path: dir + "/c.safetensors")
        let loaded = try Checkpoint.load(path: dir + "/c.safetensors")
        #expect(loaded.options == trainer.options && loaded.options.family == .vae)
        #expect(loaded.values == trainer.model.store.values)
        let raw = try SafeTensors.read(path: dir + "/c.safetensors")
        #expect(raw.tensors["param.encoder.to_stats.weight"]?.shape == [4, 16, 3, 3])
        #expect(raw.tensors["ema.decoder.final_conv.bias"]?.shape == [3])
        let config = try JSONDecoder().decode(VAEConfig.self, from: Data((raw.metadata["config"] ?? "").utf8))
        #expect(config == trainer.options.vae)
    }

    /// Options written before model families existed have no `family` key: a diffusion run. A
    /// diffusion run's JSON still has neither `family` nor `vae`.
    @Test func optionsWithoutAFamilyAreDiffusion() throws {
        let diffusion = String(decoding: try JSONEncoder().encode(smallOptions()), as: UTF8.self)
        #expect(!diffusion.contains("family") && !diffusion.contains("\"vae\""))
        let back = try JSONDecoder().decode(TrainingOptions.self, from: Data(diffusion.utf8))
        #expect(back.family == .diffusion && back == smallOptions())
        let vae = try JSONEncoder().encode(smallVAEOptions())
        #expect(try JSONDecoder().decode(TrainingOptions.self, from: vae) == smallVAEOptions())
    }

    @Test func milestoneMakesPriorSamplesAndReconstructions() throws {
        let data = try smallTrainingSet()
        let trainer = try Trainer(options: smallVAEOptions(), dataset: data)
        let refs = data.centreCrops()
        let request = MilestoneRequest(count: 3, rng: RandomGenerator(seed: 1), references: refs, reconstructionCount: 4)
        let m = try #require(try trainer.model.milestone(weights: trainer.ema.values, request: request) { _, _ in true })
        #expect(m.samples.shape == [3, 3, 8, 8] && m.sampler == "prior")
        let r = try #require(m.reconstructions)
        #expect(r.inputs.shape == [4, 3, 8, 8] && r.outputs.shape == r.inputs.shape)
        #expect(r.klPerUnit.count == 2 && r.kl > 0)
        #expect(try trainer.model.milestone(weights: trainer.ema.values, request: request) { _, _ in false } == nil)
    }

    @Test func inferenceHelpers() throws {
        let vae = try VAEGradientTests.perturbed(.fixture, seed: 5)
        var rng = RandomGenerator(seed: 6)
        let a = rng.uniformTensor([1, 3, 8, 8], lo: -1, hi: 1), b = rng.uniformTensor([1, 3, 8, 8], lo: -1, hi: 1)
        let row = vae.interpolate(a, b, steps: 5)
        #expect(row.shape == [5, 3, 8, 8])
        let ends = vae.reconstruct(Tensor(shape: [2, 3, 8, 8], data: a.data + b.data))
        let per = 3 * 64
        let first = Tensor(shape: [per], data: Array(row.data[0..<per])), last = Tensor(shape: [per], data: Array(row.data[(4 * per)...]))
        #expect(first.maxAbsDifference(Tensor(shape: [per], data: Array(ends.data[0..<per]))) < 1e-5)
        #expect(last.maxAbsDifference(Tensor(shape: [per], data: Array(ends.data[per...]))) < 1e-5)
        #expect(vae.samplePrior(count: 2, rng: &rng).shape == [2, 3, 8, 8])
        let kl = vae.klPerUnit(Tensor(shape: [2, 3, 8, 8], data: a.data + b.data))
        #expect(kl.count == 2 && kl.min()! >= 0)
        #expect(VAE.activeUnits([0.5, 0.001, 0.02]) == 2)
    }

    @Test func configErrorsNameTheField() {
        var c = VAEConfig.tiny
        c.latentShape = [4, 4, 4]
        #expect(throws: EngineError.self) { try c.validate() }
        c.latentShape = [4, 8]
        #expect(throws: EngineError.self) { try c.validate() }
        c.latentShape = [32]
        #expect(throws: Never.self) { try c.validate() }
        c.beta = -1
        #expect(throws: EngineError.self) { try c.validate() }
    }

    /// A VAE's step lines carry its loss terms; a reader of the run folder gets them back.
    @Test func metricsLinesCarryTheLossTerms() throws {
        let line = MetricsLine(json: #"{"step":3,"loss":1.5,"lr":0.001,"grad_norm":2,"wall_time":5,"reconstruction":2.5,"kl":0.5,"loss_by_t_bucket":[null]}"#)
        guard case let .step(s)? = line else { Issue.record("not a step line"); return }
        #expect(s.terms == ["reconstruction": 2.5, "kl": 0.5] && s.loss == 1.5)
        guard case let .step(d)? = MetricsLine(json: #"{"step":1,"loss":0.2,"lr":0.001,"step_seconds":0.1,"images_per_s":9}"#) else { return }
        #expect(d.terms.isEmpty, "a diffusion line has no terms")
    }
}
