import Foundation

/// A small showcase of every widget, for checking a terminal by eye: `TerminalUIDemo.run()`
/// takes over the terminal (q quits, t cycles themes, g toggles ASCII, ←/→ move the cursor);
/// `frame(...)` renders the same screen into a grid (tests, ANSI output).
public enum TerminalUIDemo {
    /// Minimum terminal size for the demo layout.
    public static let minWidth = 60
    public static let minHeight = 20

    /// Runs the interactive demo until `q` (or escape).
    /// - Throws: `TerminalError` when the terminal cannot be used.
    public static func run(options: NCursesBackend.Options = .init()) throws {
        let backend = try NCursesBackend(options: options)
        defer { backend.stop() }
        var themeIndex = 0
        var glyphs = backend.glyphs
        var cursor = 40
        var tick = 0
        while true {
            let theme = Theme.named(Theme.builtinNames[themeIndex]) ?? .default
            var grid = backend.makeGrid(theme: theme)
            grid.glyphs = glyphs
            let info = "\(backend.colorMode.rawValue), \(backend.terminalColors) colours, \(backend.terminalPairs) pairs"
            render(into: &grid, theme: theme, tick: tick, cursor: cursor, info: info)
            backend.draw(grid)
            backend.flush()
            guard let key = backend.readKey(timeoutMs: 100) else {
                tick += 1
                continue
            }
            switch key {
            case .character("q"), .escape: return
            case .character("t"), .tab: themeIndex = (themeIndex + 1) % Theme.builtinNames.count
            case .character("g"): glyphs = glyphs == .unicode ? .ascii : .unicode
            case .left: cursor = max(0, cursor - 1)
            case .right: cursor = min(199, cursor + 1)
            default: break
            }
        }
    }

    /// The demo screen as a grid of the given size.
    public static func frame(width: Int, height: Int, theme: Theme = .default, glyphs: Glyphs = .unicode,
                             tick: Int = 0, cursor: Int = 40) -> Grid {
        var grid = Grid(width: width, height: height, glyphs: glyphs, fill: theme.blank)
        render(into: &grid, theme: theme, tick: tick, cursor: cursor, info: "preview")
        return grid
    }

    static func render(into grid: inout Grid, theme: Theme, tick: Int, cursor: Int, info: String) {
        let screen = grid.bounds
        if TooSmall.applies(width: screen.width, height: screen.height, minWidth: minWidth, minHeight: minHeight) {
            TooSmall(width: screen.width, height: screen.height, minWidth: minWidth, minHeight: minHeight)
                .render(into: &grid, area: screen, theme: theme)
            return
        }
        let outer = Block(title: "ddpm · TerminalUI demo", rightTitle: "theme \(theme.name) · \(info)")
        outer.render(into: &grid, area: screen, theme: theme)
        let inside = outer.inner(screen)
        let rows = inside.rows([.fill, .fixed(1)])
        let body = rows[0].columns([.percentage(60), .fill])

        // Left: loss sparkline, two-series plot, gauge, heat row.
        let left = body[0].rows([.fixed(5), .fill, .fixed(3)])
        let steps = 200
        var lossA = [Double](repeating: 0, count: steps), lossB = lossA
        for i in 0..<steps {
            let t = Double(i + tick)
            lossA[i] = 0.02 + exp(-t / 40) + 0.01 * sin(Double(i) * 0.7)
            lossB[i] = 0.03 + 0.8 * exp(-t / 55)
        }
        let sparkBlock = Block(title: "loss (log)", rightTitle: String(format: "%.4f", lossA.last!))
        sparkBlock.render(into: &grid, area: left[0], theme: theme)
        Sparkline(lossA, logScale: true).render(into: &grid, area: sparkBlock.inner(left[0]), theme: theme)

        let plotBlock = Block(title: "A vs B", focused: true)
        plotBlock.render(into: &grid, area: left[1], theme: theme)
        LinePlot([.init(lossA), .init(lossB)], logY: true, cursorX: cursor, xLabels: (left: "0", right: "\(steps)"))
            .render(into: &grid, area: plotBlock.inner(left[1]), theme: theme)

        let meterBlock = Block(title: "progress")
        meterBlock.render(into: &grid, area: left[2], theme: theme)
        let meterRows = meterBlock.inner(left[2]).columns([.percentage(60), .fill], spacing: 1)
        Gauge(ratio: Double(tick % 100) / 100 + 0.005).render(into: &grid, area: meterRows[0], theme: theme)
        HeatRow((0..<meterRows[1].width).map { sin(Double($0) / 3) }).render(into: &grid, area: meterRows[1], theme: theme)

        // Right: an image, a heat map and a table.
        let right = body[1].rows([.percentage(45), .fill])
        let images = right[0].columns([.fill, .fill])
        let imageBlock = Block(title: "image")
        imageBlock.render(into: &grid, area: images[0], theme: theme)
        HalfBlockImage(sampleImage(size: 16, phase: tick)).render(into: &grid, area: imageBlock.inner(images[0]), theme: theme)
        let heatBlock = Block(title: "heat map")
        heatBlock.render(into: &grid, area: images[1], theme: theme)
        var field = [Float](repeating: 0, count: 256)
        for i in 0..<256 {
            let dx = Double(i % 16) - 7.5, dy = Double(i / 16) - 7.5
            field[i] = Float(hypot(dx, dy))
        }
        HalfBlockImage.heatMap(width: 16, height: 16, values: field, ramp: theme.graphRamp)
            .render(into: &grid, area: heatBlock.inner(images[1]), theme: theme)

        let tableBlock = Block(title: "switches", rounded: false)
        tableBlock.render(into: &grid, area: right[1], theme: theme)
        Table(header: ["switch", "value", "Δ"],
              rows: [[Span("forward coef"), Span("precomputed"), Span("0", fg: theme.ok)],
                     [Span("final step"), Span("posterior mean"), Span("3e-8", fg: theme.ok)],
                     [Span("model input"), Span("x_0 (bug)", fg: theme.error), Span("0.41", fg: theme.warn)],
                     [Span("loss"), Span("L1"), Span("—")]],
              widths: [.percentage(45), .fill, .fixed(5)], alignments: [.left, .left, .right],
              selected: (tick / 10) % 4)
            .render(into: &grid, area: tableBlock.inner(right[1]), theme: theme)

        KeyHintBar([("q", "quit"), ("t", "theme"), ("g", "glyphs"), ("←/→", "cursor")])
            .render(into: &grid, area: rows[1], theme: theme)
    }

    /// A colourful test picture: a hue wheel over a radial fade.
    public static func sampleImage(size: Int, phase: Int = 0) -> PixelImage {
        var pixels = [Float](repeating: 0, count: size * size * 3)
        let c = Double(size - 1) / 2
        for y in 0..<size {
            for x in 0..<size {
                let angle = atan2(Double(y) - c, Double(x) - c) + Double(phase) * 0.05
                let radius = hypot(Double(y) - c, Double(x) - c) / (c * 1.42)
                let i = (y * size + x) * 3
                for ch in 0..<3 {
                    let v = 0.5 + 0.5 * cos(angle + Double(ch) * 2.094)
                    pixels[i + ch] = Float(v * (1 - radius * 0.8))
                }
            }
        }
        return PixelImage(width: size, height: size, interleaved: pixels)
    }
}
