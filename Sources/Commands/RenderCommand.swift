import ArgumentParser
import DiffusionEngine
import Foundation
import TerminalUI
import Workbench

/// `ddpm render`: a denoising strip printed as half-block ANSI art, no ncurses.
///
/// One image is generated; `frames` snapshots of its chain (x_T, evenly spaced x_t, the final
/// x_0) are drawn left to right with `HalfBlockImage` into a `Grid`, labelled underneath, and the
/// grid is written with `ANSIWriter` in the chosen colour mode. Frames are enlarged by whole
/// factors, or sampled every d-th pixel when the width leaves less than one column per pixel.
public struct RenderCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print a denoising strip (x_T ... x_0 of one generated image) as half-block ANSI art.",
        discussion: "No ncurses: plain escape codes on stdout, so it works in logs, pipes and CI output. With --gif FILE the chain is written as a looping animated GIF instead.")

    @OptionGroup public var checkpointFlag: CheckpointFlag

    /// Snapshots in the strip (≥ 2); nil = as many as fit at half size, 3 to 6.
    @Option(help: ArgumentHelp("Snapshots in the strip, at least 2 (default: as many as fit, 3 to 6).", valueName: "n"))
    public var frames: Int?

    /// Total width in columns; nil = the terminal's.
    @Option(help: ArgumentHelp("Width in columns (default: the terminal's, or $COLUMNS, or 80).", valueName: "w"))
    public var width: Int?

    /// `truecolor`, `256` or `16`; nil = detected from COLORTERM/TERM.
    @Option(help: ArgumentHelp("Colours: truecolor, 256 or 16 (default: detected from COLORTERM and TERM).", valueName: "mode"))
    public var color: String?

    /// One density character per cell instead of half blocks.
    @Flag(help: "ASCII density characters instead of half blocks.")
    public var ascii = false

    /// A second row with the model's prediction x̂_0 at each frame's step.
    @Flag(name: .customLong("x0"), help: "Add a second row with the model's prediction x̂_0 at each frame's step.")
    public var showPrediction = false

    /// Write the chain as an animated GIF instead of printing the strip (`RenderCommand+GIF.swift`).
    @Option(help: ArgumentHelp(
        "Write the chain as a looping animated GIF (x_t with x̂_0 beside it, --frames snapshots, default 64) instead of printing the strip.",
        valueName: "file"))
    public var gif: String?

    /// The GIF's whole enlargement factor; nil = about 128 pixels a side.
    @Option(name: .customLong("gif-scale"), help: ArgumentHelp(
        "Enlarge GIF frames by this whole factor, nearest neighbour (default: 128 / image size, e.g. 4 for 32px).", valueName: "k"))
    public var gifScale: Int?

    @OptionGroup(title: "Sampling") public var sampling: SamplingFlags

    @OptionGroup public var fixesFlag: FixesFlag

    public init() {}

    /// The values given; the width and frame count taken from the terminal are checked in `run`.
    public func validate() throws {
        if sampling.eta != nil { throw FlagError("--eta: not used by render; drop it") }
        if let width { try FlagValues.check("--width", width, in: 8...1000) }
        if let frames { try FlagValues.check("--frames", frames, in: 2...64) }
        if color != nil { _ = try FlagValues.colorMode(color, environment: [:]) }
        if let gifScale { try FlagValues.check("--gif-scale", gifScale, in: 1...16) }
        if gifScale != nil && gif == nil { throw FlagError("--gif-scale: applies to --gif only") }
        if let gif { try Self.checkGIFTarget(gif) }
    }

    public func run() throws { try run(console: .standard()) }

    /// Samples and prints the strip.
    public func run(console: Console) throws {
        let checkpoint = checkpointFlag.checkpoint, seed = sampling.seed
        let cm = try CheckpointModel(path: checkpoint, ema: !sampling.raw, fixes: fixesFlag.fixes)
        let smp = try sampling.sampler(timesteps: cm.timesteps)
        let mode = try FlagValues.colorMode(color, environment: console.environment)
        let w = width ?? console.columns
        try FlagValues.check("--width", w, in: 8...1000)
        let size = cm.options.model.imageSize
        let f = frames ?? (gif != nil ? ChainGIF.defaultFrames : min(6, max(3, (w + 1) / (size / 2 + 1))))
        try FlagValues.check("--frames", f, in: 2...64)

        // Run the chain, keeping x (and the model's x̂_0) at the chosen positions (0 = x_T, S = the final x_0).
        var chain = try ReverseChain(diffusion: cm.diffusion, sampler: smp, shape: cm.shape(count: 1), rng: RandomGenerator(seed: seed))
        let total = chain.steps.count
        let positions = ChainGIF.positions(total: total, count: f)
        var shots: [(label: String, x: Tensor)] = []
        var predictions: [Tensor] = []
        let t0 = monotonicSeconds()
        for p in 0...total {
            let label = p >= total ? "x_0" : "t=\(chain.steps[p].t)"
            guard p < total else {
                shots.append((label, chain.x))
                predictions.append(chain.x)
                break
            }
            let info = chain.step(model: cm.model)
            if positions.contains(p) {
                shots.append((label, info.x))
                predictions.append(info.predictedX0)
            }
            if p % 10 == 0 { console.progress("step \(p + 1)/\(total)") }
        }
        console.endProgress()
        let secs = monotonicSeconds() - t0
        console.line(String(format: "%@ (%@), seed %llu, %@: %d steps in %.1f s", checkpoint, cm.summary, seed, smp.description, total, secs))
        if let gif {
            return try writeGIF(gif, shots: shots.map(\.x), predictions: predictions, console: console)
        }

        let glyphs: Glyphs = ascii ? .ascii : .unicode
        if showPrediction {
            console.line("row 1: x_t; row 2: the model's x̂_0 at that step")
            console.write(Self.strip(shots, width: w, glyphs: glyphs, mode: mode, labels: false))
            console.line("")
            console.write(Self.strip(zip(shots, predictions).map { ($0.label, $1) }, width: w, glyphs: glyphs, mode: mode))
        } else {
            console.write(Self.strip(shots, width: w, glyphs: glyphs, mode: mode))
        }
    }

    /// The frames side by side, each with its label centred underneath (unless `labels` is
    /// false), as ANSI text.
    /// - Parameter shots: (label, (1,3,H,W) in [-1, 1]) pairs.
    public static func strip(_ shots: [(label: String, x: Tensor)], width: Int, glyphs: Glyphs, mode: ColorMode,
                             theme: Theme = .default, labels: Bool = true) -> String {
        guard !shots.isEmpty else { return "" }
        let gap = 1
        let cellW = max(1, (width - gap * (shots.count - 1)) / shots.count)
        let widgets = shots.map { shot -> HalfBlockImage in
            let (_, _, h, w) = shot.x.nchw("RenderCommand.strip")
            let unit = shot.x.data.map { min(1, max(0, ($0 + 1) / 2)) }
            return HalfBlockImage(PixelImage(width: w, height: h, planar: Array(unit[0..<3 * h * w])))
        }
        let imageRows = widgets.map { ($0.placement(columns: cellW, rows: cellW).pixelHeight + 1) / 2 }.max() ?? 0
        var grid = Grid(width: shots.count * (cellW + gap) - gap, height: imageRows + (labels ? 1 : 0), glyphs: glyphs, fill: theme.blank)
        for (i, widget) in widgets.enumerated() {
            let x = i * (cellW + gap)
            widget.render(into: &grid, area: Rect(x: x, y: 0, width: cellW, height: imageRows), theme: theme)
            if labels {
                TextLine(shots[i].label, alignment: .center).render(into: &grid, area: Rect(x: x, y: imageRows, width: cellW, height: 1), theme: theme)
            }
        }
        return ANSIWriter(mode: mode).render(grid)
    }
}
