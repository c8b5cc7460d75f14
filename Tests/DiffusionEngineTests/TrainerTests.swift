import Foundation
import Testing
import DiffusionEngine

/// A small run on random 10x10 images (8x8 crops) with the fixture-sized UNet.
func smallTrainingSet(count: Int = 6) throws -> TrainingSet {
    var g = RandomGenerator(seed: 3)
    let images = g.uniformTensor([count, 3, 10, 10], lo: -1, hi: 1)
    return try TrainingSet(images: images, size: 8, names: (0..<count).map { "img\($0)" })
}

func smallOptions(steps: Int = 6) -> TrainingOptions {
    var o = TrainingOptions()
    o.preset = "fixture"
    o.model = .fixture
    o.timesteps = 50
    o.batchSize = 4
    o.accumulate = 2
    o.steps = steps
    o.saveEvery = 3
    o.emaEvery = 2
    o.emaStartStep = 2
    o.seed = 11
    return o
}

func temporaryDirectory(_ name: String) -> String {
    let dir = NSTemporaryDirectory() + "ddpm-test-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct TrainerTests {
    @Test func lossFallsOnAFixedBatch() throws {
        var o = smallOptions(steps: 30)
        o.augment = .off
        o.learningRate = 3e-3
        let trainer = try Trainer(options: o, dataset: try smallTrainingSet(count: 4))
        for _ in 0..<30 { try trainer.trainStep() }
        let first = trainer.lossHistory.prefix(5).reduce(0, +) / 5
        let last = trainer.lossHistory.suffix(5).reduce(0, +) / 5
        #expect(last < first, "loss did not fall: first \(first) last \(last)")
        #expect(trainer.step == 30)
    }

    @Test func resumeIsExact() throws {
        let data = try smallTrainingSet()
        let straight = try Trainer(options: smallOptions(), dataset: data)
        for _ in 0..<6 { try straight.trainStep() }

        let dir = temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try Trainer(options: smallOptions(), dataset: data)
        for _ in 0..<3 { try first.trainStep() }
        try first.saveCheckpoint(path: dir + "/c.safetensors")
        let resumed = try Trainer(resuming: Checkpoint.load(path: dir + "/c.safetensors"), dataset: data)
        #expect(resumed.step == 3)
        for _ in 0..<3 { try resumed.trainStep() }

        #expect(resumed.lossHistory == straight.lossHistory)
        let sameWeights = resumed.model.store.values == straight.model.store.values
        let sameEMA = resumed.ema.values == straight.ema.values
        #expect(sameWeights)
        #expect(sameEMA)
    }

    @Test func checkpointRoundTripsEveryTensor() throws {
        let trainer = try Trainer(options: smallOptions(), dataset: try smallTrainingSet())
        try trainer.trainStep()
        let dir = temporaryDirectory("ckpt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try trainer.saveCheckpoint(path: dir + "/c.safetensors")
        let loaded = try Checkpoint.load(path: dir + "/c.safetensors")
        #expect(loaded.step == 1)
        let sameValues = loaded.values == trainer.model.store.values
        let sameEMA = loaded.emaValues == trainer.ema.values
        #expect(sameValues)
        #expect(sameEMA)
        #expect(loaded.options == trainer.options)
        // Readable by the generic reader under the twin's names.
        let raw = try SafeTensors.read(path: dir + "/c.safetensors")
        #expect(raw.tensors["param.init_conv.weight"]?.shape == [8, 3, 3, 3])
        #expect(raw.tensors["adam.v.final_conv.bias"]?.shape == [3])
    }

    @Test func brokenCheckpointsAreClearErrors() throws {
        let dir = temporaryDirectory("broken")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.safetensors"
        #expect(throws: EngineError.self) { try Checkpoint.load(path: path) }  // missing
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: EngineError.self) { try Checkpoint.load(path: path) }
        // A valid safetensors file that is not ours.
        var other = SafeTensors()
        other.set("x", Tensor(zeros: [2]))
        try other.write(path: path)
        do {
            _ = try Checkpoint.load(path: path)
            Issue.record("a foreign safetensors file loaded as a checkpoint")
        } catch let e as EngineError {
            #expect(e.message.contains("not a ddpm checkpoint"))
        }
        // A truncated real checkpoint.
        let trainer = try Trainer(options: smallOptions(), dataset: try smallTrainingSet())
        try trainer.saveCheckpoint(path: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: EngineError.self) { try Checkpoint.load(path: path) }
    }

    /// A NaN in the EMA weights used to fall back to the raw weights (or sample NaN) silently.
    @Test func nonFiniteWeightsAreRefusedNamingTheTensor() throws {
        let dir = temporaryDirectory("nan")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.safetensors"
        let trainer = try Trainer(options: smallOptions(), dataset: try smallTrainingSet())
        var file = trainer.checkpointFile()
        var t = file.tensors["ema.mid.attn.qkv.weight"]!
        t.data[3] = .nan
        file.set("ema.mid.attn.qkv.weight", t)
        try file.write(path: path)
        do {
            _ = try Checkpoint.load(path: path)
            Issue.record("a checkpoint with a NaN weight loaded")
        } catch let e as EngineError {
            #expect(e.message.contains("ema.mid.attn.qkv.weight holds nan at element 3"))
            #expect(!e.message.contains("\n"))
        }
    }

    @Test func nonFiniteLossLeavesWeightsUntouched() throws {
        var images = try smallTrainingSet().images
        images.data[5 * 10 + 5] = .nan  // inside every crop
        let data = try TrainingSet(images: images, size: 8, names: [])
        var o = smallOptions()
        o.augment = .off
        o.batchSize = 6
        o.accumulate = 1
        let trainer = try Trainer(options: o, dataset: data)
        let before = trainer.model.store.values
        #expect(throws: EngineError.self) { try trainer.trainStep() }
        let untouched = trainer.model.store.values == before
        #expect(untouched)
        #expect(trainer.step == 0)
    }

    @Test func emaCopiesTheWeightsUntilItsStartStep() throws {
        var o = smallOptions()
        o.emaEvery = 1
        o.emaStartStep = 2
        let trainer = try Trainer(options: o, dataset: try smallTrainingSet())
        try trainer.trainStep()
        try trainer.trainStep()
        let copied = trainer.ema.values == trainer.model.store.values
        #expect(copied, "before the start step the EMA must equal the weights")
        try trainer.trainStep()
        let averaged = trainer.ema.values != trainer.model.store.values
        #expect(averaged, "after the start step the EMA must lag the weights")
    }

    /// A checkpoint from before a newer option existed still loads: the missing key takes the value
    /// the older version behaved with (emaStartStep 0: it averaged from the first step).
    @Test func optionsFromAnOlderCheckpointDecodeWithDefaults() throws {
        var o = smallOptions()
        o.emaStartStep = 7
        o.milestoneSamplingSteps = 25
        var dict = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(o)) as? [String: Any])
        dict["emaStartStep"] = nil
        dict["milestoneSamplingSteps"] = nil
        let old = try JSONDecoder().decode(TrainingOptions.self, from: JSONSerialization.data(withJSONObject: dict))
        #expect(old.emaStartStep == 0)
        #expect(old.milestoneSamplingSteps == TrainingOptions().milestoneSamplingSteps)
        #expect(old.batchSize == o.batchSize && old.model == o.model && old.seed == o.seed)
        let all = try JSONDecoder().decode(TrainingOptions.self, from: JSONEncoder().encode(o))
        #expect(all == o)
    }

    /// The engine names the option in its own words and by key path, never by a front end's flag;
    /// a front end words the same sentence with its own name for it.
    @Test func badOptionsNameTheOption() {
        var o = smallOptions()
        o.batchSize = 0
        do {
            try o.validate()
            Issue.record("batch 0 accepted")
        } catch let e as EngineError {
            #expect(e.message == "batch size must be at least 1 (got 0)")
            #expect(e.option == \TrainingOptions.batchSize)
            #expect(e.message(naming: "--batch") == "--batch must be at least 1 (got 0)")
        } catch { Issue.record("unexpected \(error)") }
        o = smallOptions()
        o.milestoneSamplingSteps = -1
        #expect(throws: EngineError(about: \TrainingOptions.milestoneSamplingSteps, named: "milestone sampling steps") {
            "\($0) must be 0 (full DDPM) or a positive DDIM step count (got -1)"
        }) { try o.validate() }
    }

    /// Options a checkpoint cannot have been trained with are damage, said about the file: the
    /// error names no option, so no front end words it as one of its flags.
    @Test func checkpointWithBadOptionsIsDamaged() throws {
        let trainer = try Trainer(options: smallOptions(), dataset: try smallTrainingSet())
        var file = trainer.checkpointFile()
        var bad = trainer.options
        bad.batchSize = 0
        file.metadata["options"] = String(decoding: try JSONEncoder().encode(bad), as: UTF8.self)
        let dir = temporaryDirectory("bad-options")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try file.write(path: dir + "/c.safetensors")
        #expect(throws: EngineError("checkpoint \(dir)/c.safetensors: batch size must be at least 1 (got 0); the file is damaged")) {
            try Checkpoint.load(path: dir + "/c.safetensors")
        }
    }
}
