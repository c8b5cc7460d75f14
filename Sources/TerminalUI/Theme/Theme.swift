import Foundation

/// The colours every screen draws with, read from `Themes/*.theme` files or the built-ins.
///
/// File format (btop's): one `theme[key]="#RRGGBB"` per line, `#` comments, blank lines.
/// Unknown keys are ignored, missing keys keep the default theme's colour, a malformed line or
/// colour is skipped with a warning. The three built-in themes (`default`, `light`,
/// `high-contrast`) are embedded in the binary (`BuiltinThemes`), so they work from any
/// directory; `Theme.default` is identical to `Themes/default.theme` (a test checks it).
public struct Theme: Hashable, Sendable {
    /// A display name: the built-in name or the file name without extension.
    public var name: String

    public var mainBg: RGB
    public var mainFg: RGB
    public var title: RGB
    public var hiFg: RGB
    public var border: RGB
    public var focusBorder: RGB
    public var inactiveFg: RGB
    public var selectedBg: RGB
    public var selectedFg: RGB
    public var meterBg: RGB
    public var graphLow: RGB
    public var graphMid: RGB
    public var graphHigh: RGB
    public var loss: RGB
    public var ok: RGB
    public var warn: RGB
    public var error: RGB
    public var seriesA: RGB
    public var seriesB: RGB
    public var cursor: RGB

    /// The dark default; the same colours as `Themes/default.theme`.
    public static let `default` = Theme(
        name: "default",
        mainBg: RGB(hex: 0x0e1116), mainFg: RGB(hex: 0xc5ccd3),
        title: RGB(hex: 0xeef2f6), hiFg: RGB(hex: 0xff7a66),
        border: RGB(hex: 0x394552), focusBorder: RGB(hex: 0x5aa9f0),
        inactiveFg: RGB(hex: 0x5d6875),
        selectedBg: RGB(hex: 0x2a4466), selectedFg: RGB(hex: 0xffffff),
        meterBg: RGB(hex: 0x1e252d),
        graphLow: RGB(hex: 0x2f9e57), graphMid: RGB(hex: 0xd9a23a), graphHigh: RGB(hex: 0xe8504a),
        loss: RGB(hex: 0x7cc0ff), ok: RGB(hex: 0x4cc46a), warn: RGB(hex: 0xe0b040), error: RGB(hex: 0xf2594f),
        seriesA: RGB(hex: 0x5aa9f0), seriesB: RGB(hex: 0xff9d5c), cursor: RGB(hex: 0xe6c14a))

    /// The file keys, in file order, with the property each one sets.
    public static let keys: [(key: String, path: WritableKeyPath<Theme, RGB>)] = [
        ("main_bg", \.mainBg), ("main_fg", \.mainFg), ("title", \.title), ("hi_fg", \.hiFg),
        ("border", \.border), ("focus_border", \.focusBorder), ("inactive_fg", \.inactiveFg),
        ("selected_bg", \.selectedBg), ("selected_fg", \.selectedFg), ("meter_bg", \.meterBg),
        ("graph_low", \.graphLow), ("graph_mid", \.graphMid), ("graph_high", \.graphHigh),
        ("loss", \.loss), ("ok", \.ok), ("warn", \.warn), ("error", \.error),
        ("series_a", \.seriesA), ("series_b", \.seriesB), ("cursor", \.cursor),
    ]

    // MARK: Derived styles

    /// Ordinary text: `main_fg` on `main_bg`.
    public var text: Style { Style(fg: mainFg, bg: mainBg) }
    /// Secondary text: `inactive_fg` on `main_bg`.
    public var inactive: Style { Style(fg: inactiveFg, bg: mainBg) }
    /// Highlighted text: `hi_fg` on `main_bg`, bold.
    public var highlight: Style { Style(fg: hiFg, bg: mainBg, attributes: .bold) }
    /// A selected row: `selected_fg` on `selected_bg`.
    public var selected: Style { Style(fg: selectedFg, bg: selectedBg) }
    /// The low → mid → high gradient of graphs and heat maps.
    public var graphRamp: ColorRamp { ColorRamp([graphLow, graphMid, graphHigh]) }
    /// A blank cell of the screen background.
    public var blank: Cell { Cell(" ", fg: mainFg, bg: mainBg) }
    /// Text in `color` on the screen background.
    public func style(_ color: RGB, _ attributes: CellAttributes = []) -> Style {
        Style(fg: color, bg: mainBg, attributes: attributes)
    }

    // MARK: Loading

    /// The names of the built-in themes, default first.
    public static var builtinNames: [String] { BuiltinThemes.all.map(\.name) }

    /// A built-in theme by name (`default`, `light`, `high-contrast`), nil when unknown.
    public static func named(_ name: String) -> Theme? {
        guard let entry = BuiltinThemes.all.first(where: { $0.name == name }) else { return nil }
        return parse(entry.text, name: entry.name).theme
    }

    /// Reads a theme file. An unreadable file gives the default theme and one warning.
    /// - Returns: the theme (named after the file) and the warnings to show the user.
    public static func load(path: String) -> (theme: Theme, warnings: [String]) {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)
        else {
            return (.default, ["theme file \(path) cannot be read; using the default theme"])
        }
        let base = (path as NSString).lastPathComponent
        let name = base.hasSuffix(".theme") ? String(base.dropLast(6)) : base
        return parse(text, name: name, source: path)
    }

    /// A built-in name, or else a file path (what a `--theme` option takes).
    /// An unknown name that is not a readable file gives the default theme and a warning.
    public static func resolve(_ nameOrPath: String) -> (theme: Theme, warnings: [String]) {
        if let builtin = named(nameOrPath) { return (builtin, []) }
        if FileManager.default.fileExists(atPath: nameOrPath) { return load(path: nameOrPath) }
        let names = builtinNames.joined(separator: ", ")
        return (.default, ["theme \"\(nameOrPath)\" is neither a built-in theme (\(names)) nor a readable file; using the default theme"])
    }

    /// Parses theme text over the default theme.
    /// - Parameters:
    ///   - text: the file contents.
    ///   - name: the resulting theme's name.
    ///   - source: how warnings name the text (a path); defaults to `name`.
    /// - Returns: the theme and one warning per malformed line or colour.
    public static func parse(_ text: String, name: String, source: String? = nil) -> (theme: Theme, warnings: [String]) {
        var theme = Theme.default
        theme.name = name
        var warnings: [String] = []
        let origin = source ?? name
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so split on any newline character, not on "\n".
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let (key, value) = splitAssignment(line) else {
                warnings.append("theme \(origin) line \(lineNumber): expected theme[key]=\"#RRGGBB\", got \(line)")
                continue
            }
            guard let path = keys.first(where: { $0.key == key })?.path else { continue }  // unknown key: ignored
            if value.isEmpty { continue }  // btop's way of saying "use the default"
            guard let color = RGB(hexString: value) else {
                warnings.append("theme \(origin) line \(lineNumber): theme[\(key)] = \"\(value)\" is not a #RRGGBB colour; keeping the default")
                continue
            }
            theme[keyPath: path] = color
        }
        return (theme, warnings)
    }

    /// `theme[key] = "value"  # comment` → (key, value); quotes (" or ') optional. Nil if malformed.
    static func splitAssignment(_ line: String) -> (String, String)? {
        guard line.hasPrefix("theme["), let close = line.firstIndex(of: "]") else { return nil }
        let key = line[line.index(line.startIndex, offsetBy: 6)..<close].trimmingCharacters(in: .whitespaces)
        var rest = line[line.index(after: close)...].drop(while: { $0 == " " || $0 == "\t" })
        guard !key.isEmpty, rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
        let value: Substring
        var after: Substring
        if let quote = rest.first, quote == "\"" || quote == "'" {
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: quote) else { return nil }
            value = body[..<end]
            after = body[body.index(after: end)...]
        } else {
            let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? rest.endIndex
            value = rest[..<end]
            after = rest[end...]
        }
        after = after.drop(while: { $0 == " " || $0 == "\t" })
        guard after.isEmpty || after.hasPrefix("#") else { return nil }
        return (key, value.trimmingCharacters(in: .whitespaces))
    }
}
