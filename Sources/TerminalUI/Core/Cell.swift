/// Text attributes a cell may carry; backends map them to SGR codes or ncurses `A_*` bits.
public struct CellAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let dim = CellAttributes(rawValue: 1 << 1)
    public static let underline = CellAttributes(rawValue: 1 << 2)
    public static let reverse = CellAttributes(rawValue: 1 << 3)
}

/// One terminal cell: a grapheme, its colours and attributes.
///
/// The character must be one column wide (ASCII, box drawing, blocks, braille, Latin text);
/// wide characters (CJK, emoji) are not supported by the grid and are not produced by any widget.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var fg: RGB
    public var bg: RGB
    public var attributes: CellAttributes

    public init(_ character: Character = " ", fg: RGB, bg: RGB, attributes: CellAttributes = []) {
        self.character = character
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    /// The style part of the cell (everything except the character).
    public var style: Style { Style(fg: fg, bg: bg, attributes: attributes) }
}

/// Colours and attributes, without a character: what widgets paint with.
public struct Style: Hashable, Sendable {
    public var fg: RGB
    public var bg: RGB
    public var attributes: CellAttributes

    public init(fg: RGB, bg: RGB, attributes: CellAttributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }
}
