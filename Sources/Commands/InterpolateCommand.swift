import ArgumentParser
import DiffusionEngine
import Foundation
import Workbench

/// `ddpm interpolate`: a row of images between two, through a VAE's latent space.
public struct InterpolateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Walk a VAE's latent space between two images: a row of decoded images as a PNG.",
        discussion: """
            --from and --to are training images by index (0 is the first of the built-in faces or \
            of --data) or image files. Both are encoded to the mean of q(z|x); the row decodes \
            (1-α)·μ_from + α·μ_to for --steps values of α from 0 to 1, so its ends are the two \
            reconstructions.
            """)

    @OptionGroup public var checkpointFlag: CheckpointFlag
    @OptionGroup public var dataFlags: DataFlags

    @Option(help: ArgumentHelp("The first image: a training image's index, or a PNG/JPEG file.", valueName: "image"))
    public var from: String

    @Option(help: ArgumentHelp("The last image: a training image's index, or a PNG/JPEG file.", valueName: "image"))
    public var to: String

    @Option(help: ArgumentHelp("Images in the row, both ends included.", valueName: "k"))
    public var steps: Int = 8

    @Option(help: ArgumentHelp("Output PNG (default: <checkpoint folder>/samples/interpolate-<from>-<to>.png).", valueName: "png"))
    public var out: String?

    @Flag(help: "Use the raw weights instead of the EMA weights.")
    public var raw = false

    public init() {}

    public func validate() throws { try FlagValues.check("--steps", steps, in: 2...256) }

    public func run() throws { try run(console: .standard()) }

    /// Writes the row; returns its path and the images (steps, C, S, S).
    @discardableResult
    public func run(console: Console) throws -> (path: String, row: Tensor) {
        let path = checkpointFlag.checkpoint
        let cv = try CheckpointVAE(path: path, ema: !raw, command: "interpolate")
        let v = cv.options.vae
        var training: Tensor?
        func image(_ word: String, flag: String) throws -> Tensor {
            if let i = Int(word) {
                if training == nil {
                    let data = try dataFlags.source.load(for: cv.options)
                    training = data.set.centreCrops()
                }
                let n = training!.shape[0]
                guard i >= 0 && i < n else {
                    throw FlagError("\(flag) \(i): the training set has \(n) images (0...\(n - 1)); or pass an image file")
                }
                return ModelSource.image(training!, index: i)
            }
            guard FileManager.default.fileExists(atPath: word) else {
                throw FlagError("\(flag) \(word): neither a training image's index nor an existing file")
            }
            return try DataSource.image(atPath: word, size: v.imageSize, channels: v.channels)
        }
        let a = try image(from, flag: "--from"), b = try image(to, flag: "--to")
        let row = cv.vae.interpolate(a, b, steps: steps)
        let png = out ?? FlagValues.folder(of: path) + "/samples/interpolate-\(Self.label(from))-\(Self.label(to)).png"
        try SampleCommand.makeFolder(for: png)
        try TensorImages.writeGrid(row, nrow: steps, to: png)
        console.line("interpolated \(from) -> \(to) in \(steps) steps with \(path) (\(cv.summary)); wrote \(png)")
        return (png, row)
    }

    /// A file name part for an image word: the index, or the file's base name.
    static func label(_ word: String) -> String {
        Int(word).map(String.init) ?? ((word as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}
