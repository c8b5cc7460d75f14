import ArgumentParser
import DiffusionEngine
import Foundation
import ImageIO
import Workbench

/// `ddpm visualize`: the course's Part 6 as one PNG of two rows.
///
///     row 1 (forward):  x_0 (a training image) | q(x_t | x_0) at t = 0, 25%, 50%, 75%, 99% of T
///     row 2 (reverse):  x_0 (the generated one) | the reverse chain's x_t at the same t
///
/// t = round(f·T) clamped to T-1 for f in `fractions`. Both x_t are the input of step t (0-based
/// as in the course: qSample(x_0, t) is what step t of the reverse chain receives), so a column
/// compares like with like. The forward noise and the chain come from `--seed`. Images are
/// enlarged `scale` times with nearest neighbour so a 32x32 picture stays crisp.
public struct VisualizeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "visualize",
        abstract: "Draw the forward and reverse processes side by side into one PNG.",
        discussion: """
            Row 1: a training image and q(x_t | x_0) at 0, 25, 50, 75 and 99% of T. Row 2: a \
            generated image and its reverse chain's x_t at the same t (DDPM, all T steps). The \
            columns' t values are printed.
            """)

    @OptionGroup public var checkpointFlag: CheckpointFlag

    /// Output PNG; default `<run folder>/samples/visualize-image<N>-seed<S>.png`.
    @Option(help: ArgumentHelp(
        "Output PNG (default: <checkpoint folder>/samples/visualize-image<N>-seed<S>.png).", valueName: "png"))
    public var out: String?

    /// Index of the training image for the forward row.
    @Option(help: ArgumentHelp("Index of the training image for the forward row (0-based).", valueName: "n"))
    public var image: Int = 0

    @Option(help: ArgumentHelp("Seed of the forward noise and of the reverse chain.", valueName: "n"))
    public var seed: UInt64 = 0

    @OptionGroup public var dataFlags: DataFlags

    @Flag(help: "Use the raw weights instead of the EMA weights.")
    public var raw = false

    @OptionGroup public var fixesFlag: FixesFlag

    @Option(help: ArgumentHelp("Enlarge each image this many times (nearest neighbour).", valueName: "k"))
    public var scale: Int = 4

    public init() {}

    /// `--image` is checked in `run`, against the dataset once it is loaded.
    public func validate() throws {
        try FlagValues.check("--scale", scale, in: 1...32)
    }

    public func run() throws { try run(console: .standard()) }

    /// The fractions of T shown.
    public static let fractions: [Double] = [0, 0.25, 0.5, 0.75, 0.99]

    /// The timesteps shown for a schedule of T steps.
    public static func timesteps(T: Int) -> [Int] {
        fractions.map { min(T - 1, Int(($0 * Double(T)).rounded())) }
    }

    /// What `run` made: the PNG path and both rows, (6,C,S,S) each in [-1, 1].
    public struct Result: Sendable {
        public var path: String
        public var timesteps: [Int]
        public var forward: Tensor
        public var reverse: Tensor
    }

    @discardableResult
    public func run(console: Console) throws -> Result {
        let checkpoint = checkpointFlag.checkpoint
        let cm = try CheckpointModel(path: checkpoint, ema: !raw, fixes: fixesFlag.fixes)
        let loaded = try dataFlags.source.load(for: cm.options.model)
        for w in loaded.warnings { console.warn("skipped \(w)") }
        let set = loaded.set
        guard image >= 0 && image < set.count else {
            throw FlagError("--image \(image): the dataset has \(set.count) images; pick 0...\(set.count - 1)")
        }
        let T = cm.timesteps
        let ts = Self.timesteps(T: T)
        let one = cm.shape(count: 1)
        let per = one.dropFirst().reduce(1, *)
        let x0 = Tensor(shape: one, data: Array(set.centreCrops().data[image * per..<(image + 1) * per]))

        // Row 1: q(x_t | x_0) with one ε for every t.
        var g = RandomGenerator(seed: seed).derived(stream: 1)
        let eps = g.normalTensor(one)
        var forward = [x0]
        for t in ts { forward.append(cm.diffusion.qSample(x0, t: [t], noise: eps)) }

        // Row 2: the input x_t of the reverse chain's step t, for the same t.
        console.line("visualizing \(checkpoint) (\(cm.summary)): image \(image) '\(set.names[image])', t = \(ts.map(String.init).joined(separator: ", ")), seed \(seed)")
        var rng = RandomGenerator(seed: seed)
        var captured: [Int: Tensor] = [:]
        let t0 = monotonicSeconds()
        let final = try cm.diffusion.sample(model: cm.model, shape: one, rng: &rng, sampler: .ddpm) { info in
            if ts.contains(info.t) { captured[info.t] = info.x }
            if info.t % 10 == 0 { console.progress("reverse chain t=\(info.t)") }
            return true
        }
        console.endProgress()
        let reverse = [final] + ts.map { captured[$0]! }

        let fwd = Self.stack(forward), rev = Self.stack(reverse)
        let images = (TensorImages.images(fwd) + TensorImages.images(rev)).map { Self.enlarged($0, by: scale) }
        let path = out ?? FlagValues.folder(of: checkpoint) + "/samples/visualize-image\(image)-seed\(seed).png"
        try SampleCommand.makeFolder(for: path)
        try PNGEncoder.write(ImageGrid.makeGrid(images, nrow: images.count / 2, padding: 2 * scale), to: path)
        console.line(String(format: "wrote %@ in %.1f s", path, monotonicSeconds() - t0))
        console.line("  columns: x_0 | t=" + ts.map(String.init).joined(separator: " | t="))
        console.line("  row 1: forward q(x_t | x_0) of the training image; row 2: reverse chain x_t (left: its final sample)")
        return Result(path: path, timesteps: ts, forward: fwd, reverse: rev)
    }

    /// (1,C,H,W) tensors stacked into (N,C,H,W).
    static func stack(_ xs: [Tensor]) -> Tensor {
        var shape = xs[0].shape
        shape[0] = xs.count
        return Tensor(shape: shape, data: xs.flatMap(\.data))
    }

    /// Nearest-neighbour enlargement by a whole factor.
    static func enlarged(_ img: RGBImage, by k: Int) -> RGBImage {
        guard k > 1 else { return img }
        let w = img.width, h = img.height, W = w * k, H = h * k
        var px = [Float](repeating: 0, count: 3 * W * H)
        for c in 0..<3 {
            for y in 0..<H {
                for x in 0..<W { px[(c * H + y) * W + x] = img.pixels[(c * h + y / k) * w + x / k] }
            }
        }
        return RGBImage(width: W, height: H, pixels: px)
    }
}
