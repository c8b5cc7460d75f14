import DiffusionEngine
import Foundation
import Workbench
import ImageIO

/// Folders and options the workbench tests share.
enum WorkbenchFixtures {
    /// A fresh empty folder under the system's temporary directory.
    static func tempFolder(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/ddpm-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Options of the `fixture` preset sized for debug-build tests (8x8, T = `timesteps`).
    static func fixtureOptions(timesteps: Int = 20, steps: Int = 2) -> TrainingOptions {
        var o = TrainingOptions()
        (o.preset, o.model, o.timesteps, o.steps) = ("fixture", .fixture, timesteps, steps)
        (o.batchSize, o.accumulate, o.saveEvery, o.sampleCount) = (4, 1, 1000, 4)
        return o
    }

    /// A short run writing to `dir` (random 8x8 images, T = 20, a milestone grid every 2 steps
    /// sampled with DDIM 5): what a run folder holds once `run()` returns.
    static func shortRun(in dir: String, steps: Int, seed: UInt64) throws -> TrainingSession {
        var rng = RandomGenerator(seed: seed)
        let set = try TrainingSet(images: rng.uniformTensor([6, 3, 9, 9], lo: -1, hi: 1), size: 8, names: [])
        var o = fixtureOptions(timesteps: 20, steps: steps)
        o.saveEvery = 2
        o.milestoneSamplingSteps = 5
        return try TrainingSession(options: o, data: .init(set: set, description: "random"), out: dir)
    }

    /// `count` 12x12 PNGs of different colours in `path`.
    static func imageFolder(_ path: String, count: Int) throws {
        for i in 0..<count {
            let v = Float(i) / Float(max(1, count - 1))
            try PNGEncoder.write(RGBImage(width: 12, height: 12, red: v, green: 1 - v, blue: 0.5), to: path + "/\(i).png")
        }
    }
}
