import ArgumentParser
import DiffusionEngine
import Foundation
import Workbench

/// `ddpm sample`: a checkpoint to a grid PNG of generated images.
public struct SampleCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate images from a checkpoint into a grid PNG.",
        discussion: """
            Prints the PNG's path and the sampling time. Same --seed, same images. A diffusion \
            checkpoint runs its reverse chain (--sampler, --steps, --eta, --fixes); a VAE \
            checkpoint decodes latents drawn from its prior N(0, I) in one pass (those flags do not apply).
            """)

    @OptionGroup public var checkpointFlag: CheckpointFlag

    /// Output PNG; default `<run folder>/samples/sample-<sampler>-seed<seed>.png`.
    @Option(help: ArgumentHelp(
        "Output PNG (default: <checkpoint folder>/samples/sample-<sampler>-seed<seed>.png).", valueName: "png"))
    public var out: String?

    @Option(help: ArgumentHelp("Number of images.", valueName: "n"))
    public var count: Int = 16

    /// Images per grid row; default ⌈√count⌉.
    @Option(help: ArgumentHelp("Images per grid row (default: the square root of --count, rounded up).", valueName: "n"))
    public var nrow: Int?

    @OptionGroup(title: "Sampling") public var sampling: SamplingFlags

    @OptionGroup public var fixesFlag: FixesFlag

    public init() {}

    public func validate() throws {
        try FlagValues.check("--count", count, in: 1...1024)
        if let nrow { try FlagValues.check("--nrow", nrow, in: 1...1024) }
    }

    public func run() throws { try run(console: .standard()) }

    var checkpoint: String { checkpointFlag.checkpoint }

    /// What `run` made.
    public struct Result: Sendable {
        public var path: String
        public var samples: Tensor
        public var seconds: Double
        /// The reverse chain's sampler; nil for a VAE (its prior, decoded).
        public var sampler: Sampler?
    }

    /// Samples and writes the grid, printing the path and the time.
    /// - Throws: `FlagError`/`EngineError`/`ImageError`, one line each.
    @discardableResult
    public func run(console: Console) throws -> Result {
        let loaded = try Checkpoint.load(path: checkpoint)
        if loaded.options.family == .vae { return try samplePrior(loaded, console: console) }
        let cm = try CheckpointModel(loaded: loaded, ema: !sampling.raw, fixes: fixesFlag.fixes)
        let smp = try sampling.sampler(timesteps: cm.timesteps)
        let seed = sampling.seed
        let path = out ?? defaultPath(cm: cm, sampler: smp)
        try Self.makeFolder(for: path)

        console.line("sampling \(count) images from \(checkpoint) (\(cm.summary)), \(smp), seed \(seed)")
        let total = try smp.stepPairs(timesteps: cm.timesteps).count
        var rng = RandomGenerator(seed: seed)
        var done = 0
        let t0 = monotonicSeconds()
        let x = try cm.diffusion.sample(model: cm.model, shape: cm.shape(count: count), rng: &rng, sampler: smp) { info in
            done += 1
            if done % 10 == 0 || done == total { console.progress("step \(done)/\(total)  t=\(info.t)") }
            return true
        }
        let secs = monotonicSeconds() - t0
        console.endProgress()
        try TensorImages.writeGrid(x, nrow: nrow, to: path)
        console.line(String(format: "wrote %@ (%d images, %d steps in %.1f s, %.3f s/step)", path, count, total, secs, secs / Double(max(total, 1))))
        return Result(path: path, samples: x, seconds: secs, sampler: smp)
    }

    /// A VAE checkpoint: `count` latents from N(0, I) (seeded), decoded, written as a grid.
    func samplePrior(_ loaded: Checkpoint.Loaded, console: Console) throws -> Result {
        let given = [("--sampler", sampling.sampler != nil), ("--steps", sampling.steps != nil), ("--eta", sampling.eta != nil),
                     ("--fixes", fixesFlag.fixes != nil)].filter(\.1).map(\.0)
        if !given.isEmpty {
            throw FlagError("\(given.joined(separator: ", ")): \(checkpoint) is a VAE, which samples its prior in one decoder pass; leave \(given.count == 1 ? "it" : "them") out")
        }
        let cv = try CheckpointVAE(loaded: loaded, ema: !sampling.raw, command: "sample")
        let path = out ?? FlagValues.folder(of: checkpoint) + "/samples/sample-prior-seed\(sampling.seed)\(sampling.raw ? "-raw" : "").png"
        try Self.makeFolder(for: path)
        console.line("sampling \(count) images from \(checkpoint) (\(cv.summary)), prior N(0, I), seed \(sampling.seed)")
        var rng = RandomGenerator(seed: sampling.seed)
        let t0 = monotonicSeconds()
        let x = cv.vae.samplePrior(count: count, rng: &rng)
        let secs = monotonicSeconds() - t0
        try TensorImages.writeGrid(x, nrow: nrow, to: path)
        console.line(String(format: "wrote %@ (%d images decoded in %.2f s)", path, count, secs))
        return Result(path: path, samples: x, seconds: secs, sampler: nil)
    }

    func defaultPath(cm: CheckpointModel, sampler: Sampler) -> String {
        let name: String
        switch sampler {
        case .ddpm: name = "ddpm"
        case let .ddim(k, eta): name = eta == 0 ? "ddim\(k)" : "ddim\(k)-eta\(eta)"
        }
        return FlagValues.folder(of: checkpoint) + "/samples/sample-\(name)-seed\(sampling.seed)\(sampling.raw ? "-raw" : "").png"
    }

    /// Creates the folder an output file goes into.
    static func makeFolder(for path: String) throws {
        let dir = FlagValues.folder(of: path)
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw FlagError("--out \(path): cannot create the folder \(dir) (\(error.localizedDescription))")
        }
    }
}
