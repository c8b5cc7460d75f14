import CNCurses
import Foundation

/// The terminal backend: copies grids to the screen through ncursesw. The ONLY file of the
/// project that imports CNCurses.
///
/// - Start-up: `setlocale(LC_ALL, "")`, `newterm` on stdout/stdin (an error value instead of
///   initscr's exit), cbreak, noecho, keypad, a short ESC delay, hidden cursor, colours with
///   the terminal's default colours allowed.
/// - Colour: `ColorMode.detect` (or the caller's choice), lowered to what the terminfo entry
///   can do: direct colour needs an entry with 2^24 colours (e.g. `xterm-direct`); otherwise
///   the RGB of each cell is mapped to xterm-256 or 16 colours. Pairs are defined with
///   `init_extended_pair` and selected through the `opts` pointer of `setcchar` (ncurses reads
///   it as `int *` holding the pair number), so more than 32767 pairs work; `PairCache`
///   recycles them.
/// - Drawing: only cells that differ from the previous frame are written (`FrameDiff`);
///   ncurses then sends only what changed on screen.
/// - Input: `readEvent(timeoutMs:)` with `wget_wch` (wide characters); a resize is an event too.
///   Ctrl-C raises SIGINT.
/// - Shutdown: `stop()` (idempotent, also called by `deinit`) runs `endwin` and frees the screen.
///
/// ncurses is not thread-safe: create, draw, read keys and stop from ONE thread.
public final class NCursesBackend: TerminalBackend {
    /// What the caller may force; nil fields are detected.
    public struct Options: Sendable {
        public var colorMode: ColorMode?
        public var glyphs: Glyphs?
        /// How long ncurses waits after ESC for the rest of an escape sequence.
        public var escapeDelayMs: Int
        public init(colorMode: ColorMode? = nil, glyphs: Glyphs? = nil, escapeDelayMs: Int = 25) {
            self.colorMode = colorMode
            self.glyphs = glyphs
            self.escapeDelayMs = escapeDelayMs
        }
    }

    /// The colour mode in effect (after lowering to the terminal's capabilities).
    public private(set) var colorMode: ColorMode
    /// False on a monochrome terminal: only characters and attributes are drawn.
    public let hasColors: Bool
    public let glyphs: Glyphs
    /// The terminfo colour count and pair count (ncurses `COLORS`, `COLOR_PAIRS`).
    public let terminalColors: Int
    public let terminalPairs: Int

    private var screen: OpaquePointer?
    private var previous: Grid?
    /// Cells of the previous frame drawn with the default pair because no pair was free.
    private var uncoloured: [Int] = []
    private var pairs: PairCache
    private var colorNumbers: [RGB: Int32] = [:]
    /// The last two colours looked up (a cell's fg and bg, repeated along a run of cells): a full
    /// frame is 12,000 cells, and hashing RGB for each was a quarter of the output's CPU time.
    private var recentColors: ((rgb: RGB, number: Int32)?, (rgb: RGB, number: Int32)?) = (nil, nil)
    /// The last pair handed out this frame, for runs of cells with the same colours.
    private var recentPair: (key: PairCache.Key, pair: Int32)?
    private var reservedLowColors: Int32 = 0
    private var wideBuffer = [wchar_t](repeating: 0, count: 8)
    private static var active = false

    /// Takes over the terminal.
    /// - Throws: `TerminalError` when stdin/stdout is not a terminal, another backend is
    ///   active, or ncurses cannot initialise `TERM`.
    public init(options: Options = Options()) throws {
        guard !NCursesBackend.active else { throw TerminalError("the terminal is already in use by another NCursesBackend; stop() it first") }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError("stdin/stdout is not a terminal; run ddpm in a terminal, or use `ddpm render` to print frames")
        }
        setlocale(LC_ALL, "")
        guard let screen = newterm(nil, stdout, stdin) else {
            let term = ProcessInfo.processInfo.environment["TERM"] ?? "(unset)"
            throw TerminalError("ncurses cannot open terminal type TERM=\(term); set TERM to a known type such as xterm-256color")
        }
        self.screen = screen
        NCursesBackend.active = true
        _ = set_term(screen)
        cbreak()
        noecho()
        nonl()
        keypad(stdscr, true)
        intrflush(stdscr, false)
        _ = set_escdelay(Int32(options.escapeDelayMs))
        curs_set(0)

        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        glyphs = options.glyphs ?? (codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8" ? .unicode : .ascii)

        hasColors = has_colors()
        if hasColors {
            start_color()
            use_default_colors()
        }
        terminalColors = hasColors ? Int(COLORS) : 0
        terminalPairs = hasColors ? Int(COLOR_PAIRS) : 0

        // Lower the requested mode to what this terminfo entry can actually display.
        let environment = ProcessInfo.processInfo.environment
        var mode = options.colorMode ?? ColorMode.detect(environment: environment, terminalColors: terminalColors)
        if mode == .direct && terminalColors < 1 << 24 { mode = .xterm256 }
        if mode == .xterm256 && terminalColors < 256 { mode = .ansi16 }
        colorMode = mode
        if mode == .direct {
            // Direct-colour entries (xterm+direct) keep the first CO colour numbers for the
            // ANSI palette; RGB values below that would select palette colours instead.
            let co = tigetnum("CO")
            reservedLowColors = co > 0 ? Int32(co) : 0
        }
        pairs = PairCache(firstPair: 1, capacity: max(0, terminalPairs - 1))
    }

    deinit { stop() }

    /// Restores the terminal (endwin) and frees the screen. Safe to call more than once.
    public func stop() {
        guard let screen else { return }
        endwin()
        delscreen(screen)
        self.screen = nil
        NCursesBackend.active = false
    }

    public var size: (width: Int, height: Int) {
        guard screen != nil else { return (0, 0) }
        return (Int(getmaxx(stdscr)), Int(getmaxy(stdscr)))
    }

    /// Forgets the previous frame so the next `draw` writes every cell (after a resize, or to
    /// repair a screen something else wrote to).
    public func invalidate() {
        previous = nil
        if screen != nil { clearok(stdscr, true) }
    }

    public func draw(_ grid: Grid) {
        guard screen != nil else { return }
        let (w, h) = size
        if let previous, previous.width != grid.width || previous.height != grid.height { invalidate() }

        // Pass 1: mark every pair the frame uses, so pass 2 never evicts a visible one.
        if hasColors {
            pairs.beginFrame()
            recentPair = nil
            var last: PairCache.Key?
            for cell in grid.cells {
                let k = key(for: cell)
                if k != last { pairs.touch(k); last = k }
            }
        }
        // Pass 2: write the cells that changed, and retry those drawn without their colours
        // last time (no pair was free then).
        var indices = FrameDiff.changedIndices(previous: previous, current: grid)
        if !uncoloured.isEmpty && previous != nil {
            indices = Array(Set(indices).union(uncoloured.filter { $0 < grid.cells.count })).sorted()
        }
        uncoloured.removeAll(keepingCapacity: true)
        for i in indices {
            let x = i % max(grid.width, 1), y = i / max(grid.width, 1)
            guard x < w, y < h else { continue }
            if !put(grid.cells[i], x: Int32(x), y: Int32(y)) { uncoloured.append(i) }
        }
        previous = grid
    }

    public func flush() {
        guard screen != nil else { return }
        wrefresh(stdscr)
    }

    /// Reads one key with `wget_wch` (wide characters); `KEY_RESIZE` becomes `.resize` and forgets
    /// the previous frame, since ncurses has already resized its screen.
    /// - Returns: the event, or nil on timeout (and for key codes the app has no name for).
    public func readEvent(timeoutMs: Int) -> InputEvent? {
        guard screen != nil else { return nil }
        wtimeout(stdscr, Int32(clamping: timeoutMs))
        var ch: wint_t = 0
        let result = wget_wch(stdscr, &ch)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            let code = Int32(ch)
            if code == KEY_RESIZE {
                invalidate()
                return .resize
            }
            return NCursesBackend.mapKeyCode(code).map(InputEvent.key)
        }
        guard let scalar = Unicode.Scalar(UInt32(ch)) else { return nil }
        return .key(Key(character: Character(scalar)))
    }

    static func mapKeyCode(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_IC: return .insert
        case KEY_BTAB: return .backTab
        case KEY_F0 + 1...KEY_F0 + 12: return .function(Int(code - KEY_F0))
        default: return nil
        }
    }

    // MARK: Cells and colours

    // ncurses attribute bits: NCURSES_BITS(1, n) = 1 << (n + 8). The A_* macros are
    // function-like macros, which Swift does not import.
    private static let attrUnderline: attr_t = 1 << 17
    private static let attrReverse: attr_t = 1 << 18
    private static let attrDim: attr_t = 1 << 20
    private static let attrBold: attr_t = 1 << 21

    private func attributes(_ a: CellAttributes) -> attr_t {
        var out: attr_t = 0
        if a.contains(.bold) { out |= NCursesBackend.attrBold }
        if a.contains(.dim) { out |= NCursesBackend.attrDim }
        if a.contains(.underline) { out |= NCursesBackend.attrUnderline }
        if a.contains(.reverse) { out |= NCursesBackend.attrReverse }
        return out
    }

    /// The terminal colour number for an RGB value in the current mode (cached).
    private func colorNumber(_ c: RGB) -> Int32 {
        if let r = recentColors.0, r.rgb == c { return r.number }
        if let r = recentColors.1, r.rgb == c {
            recentColors = (r, recentColors.0)
            return r.number
        }
        let n = colorNumbers[c] ?? computeColorNumber(c)
        recentColors = ((c, n), recentColors.0)
        return n
    }

    private func computeColorNumber(_ c: RGB) -> Int32 {
        let n: Int32
        switch colorMode {
        case .direct: n = max(Int32(c.packed), reservedLowColors)
        case .xterm256: n = Int32(Palette.xterm256(c))
        case .ansi16: n = Int32(Palette.ansi16(c)) % Int32(max(1, min(16, terminalColors)))
        }
        colorNumbers[c] = n
        return n
    }

    private func key(for cell: Cell) -> PairCache.Key {
        PairCache.Key(fg: colorNumber(cell.fg), bg: colorNumber(cell.bg))
    }

    /// Writes one cell; false when it had to be drawn with the default pair (none free).
    @discardableResult
    private func put(_ cell: Cell, x: Int32, y: Int32) -> Bool {
        var pair: Int32 = 0
        var coloured = true
        if hasColors {
            let key = key(for: cell)
            if let r = recentPair, r.key == key {
                pair = r.pair
            } else {
                switch pairs.pair(for: key) {
                case .cached(let p)?: pair = p
                case .assigned(let p)?:
                    init_extended_pair(p, key.fg, key.bg)
                    pair = p
                case nil: coloured = false
                }
                recentPair = coloured ? (key, pair) : nil
            }
        }
        // The grapheme as a NUL-terminated wide string: one spacing character, then combining marks.
        // Without a UTF-8 locale the terminal cannot show non-ASCII text the app passed in.
        let character: Character = glyphs == .ascii && !cell.character.isASCII ? "?" : cell.character
        var n = 0
        for scalar in character.unicodeScalars where n < 5 {
            wideBuffer[n] = wchar_t(bitPattern: scalar.value)
            n += 1
        }
        wideBuffer[n] = 0
        var cc = cchar_t()
        wideBuffer.withUnsafeBufferPointer { buf in
            _ = setcchar(&cc, buf.baseAddress, attributes(cell.attributes), 0, &pair)
        }
        // Writing the bottom-right cell returns ERR (the cursor cannot advance); it is drawn anyway.
        _ = mvwadd_wch(stdscr, y, x, &cc)
        return coloured
    }
}
