import ArgumentParser
import DiffusionEngine
import Foundation
import Workbench

/// `ddpm reconstruct`: a VAE checkpoint's reconstructions of training images, beside them.
public struct ReconstructCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Encode training images with a VAE checkpoint and decode them: inputs and reconstructions as a grid PNG.",
        discussion: """
            The images are the first --count training images (the built-in faces, or --data), \
            centre-cropped to the VAE's size. Each is encoded to the mean of q(z|x) and decoded; \
            the grid shows a row of inputs, the row of their reconstructions under it, and so on. \
            Prints the reconstruction RMSE ([-1, 1] units) and the KL of the latent per image.
            """)

    @OptionGroup public var checkpointFlag: CheckpointFlag
    @OptionGroup public var dataFlags: DataFlags

    @Option(help: ArgumentHelp("Training images to reconstruct.", valueName: "n"))
    public var count: Int = 8

    @Option(help: ArgumentHelp("Output PNG (default: <checkpoint folder>/samples/reconstruct.png).", valueName: "png"))
    public var out: String?

    @Flag(help: "Use the raw weights instead of the EMA weights.")
    public var raw = false

    public init() {}

    public func validate() throws { try FlagValues.check("--count", count, in: 1...1024) }

    public func run() throws { try run(console: .standard()) }

    /// What `run` made.
    public struct Result: Sendable {
        public var path: String
        public var inputs: Tensor
        public var reconstructions: Tensor
        public var rmse: Float
    }

    /// - Throws: one-line errors (a diffusion checkpoint, missing data, …).
    @discardableResult
    public func run(console: Console) throws -> Result {
        let path = checkpointFlag.checkpoint
        let cv = try CheckpointVAE(path: path, ema: !raw, command: "reconstruct")
        let data = try dataFlags.source.load(for: cv.options)
        for w in data.warnings { console.warn("skipped \(w)") }
        let all = data.set.centreCrops()
        let x = ModelSource.firstImages(all, count: count)
        let y = cv.vae.reconstruct(x)
        let rmse = y.rmsDifference(x)
        let kl = cv.vae.klPerUnit(x).reduce(0, +)
        let png = out ?? FlagValues.folder(of: path) + "/samples/reconstruct.png"
        try SampleCommand.makeFolder(for: png)
        try TensorImages.writePairs(inputs: x, outputs: y, to: png)
        console.line("reconstructed \(x.shape[0]) of \(data.description) with \(path) (\(cv.summary))")
        console.line(String(format: "wrote %@; RMSE %.4f, KL %.2f nats per image", png, rmse, kl))
        return Result(path: png, inputs: x, reconstructions: y, rmse: rmse)
    }
}
