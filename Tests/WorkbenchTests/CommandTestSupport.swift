import DiffusionEngine
import Foundation
import Workbench

/// Helpers shared by the command tests: temporary folders and a small trained checkpoint.
enum CommandFixtures {
    /// A fresh empty folder under the system's temporary directory.
    static func tempFolder(_ name: String = "cmd") throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/ddpm-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Options of the `fixture` preset sized for debug-build tests (8x8, T = 20).
    static func fixtureOptions(timesteps: Int = 20, steps: Int = 2) -> TrainingOptions {
        var o = TrainingOptions()
        o.preset = "fixture"
        o.model = .fixture
        o.timesteps = timesteps
        o.batchSize = 4
        o.accumulate = 1
        o.steps = steps
        o.saveEvery = 1000
        o.sampleCount = 4
        return o
    }

    /// A fixture-preset model trained `steps` steps on random images and saved in `folder`.
    /// - Returns: the checkpoint's path.
    static func trainedCheckpoint(in folder: String, steps: Int = 2, timesteps: Int = 20) throws -> String {
        var rng = RandomGenerator(seed: 3)
        let images = rng.uniformTensor([6, 3, 9, 9], lo: -1, hi: 1)
        let set = try TrainingSet(images: images, size: 8, names: [])
        let trainer = try Trainer(options: fixtureOptions(timesteps: timesteps, steps: steps), dataset: set)
        for _ in 0..<steps { try trainer.trainStep() }
        let path = folder + "/checkpoint.safetensors"
        try trainer.saveCheckpoint(path: path)
        return path
    }
}
