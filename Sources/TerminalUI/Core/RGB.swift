/// A 24-bit colour: one byte per channel, sRGB as the terminal shows it.
///
/// Every cell of a `Grid` carries two of these (foreground and background). The backends decide
/// how to show them: directly (truecolor), or mapped to the xterm-256 or 16-colour palette.
public struct RGB: Hashable, Sendable, CustomStringConvertible {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// A colour from a packed `0xRRGGBB` value.
    public init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
    }

    /// Parses `#RRGGBB` (the leading `#` optional); nil for anything else.
    public init?(hexString: String) {
        var text = Substring(hexString)
        if text.hasPrefix("#") { text = text.dropFirst() }
        guard text.count == 6, text.allSatisfy({ $0.isHexDigit }), let value = UInt32(text, radix: 16)
        else { return nil }
        self.init(hex: value)
    }

    /// A colour from channels in [0, 1]; values outside are clamped, NaN becomes 0.
    public init(unit r: Float, _ g: Float, _ b: Float) {
        self.init(RGB.byte(r), RGB.byte(g), RGB.byte(b))
    }

    /// `#rrggbb`, lower case.
    public var hexString: String {
        let digits = Array("0123456789abcdef")
        var out = "#"
        for v in [r, g, b] {
            out.append(digits[Int(v >> 4)])
            out.append(digits[Int(v & 0xF)])
        }
        return out
    }

    public var description: String { hexString }

    /// The packed `0xRRGGBB` value (what ncurses direct-colour mode takes as a colour number).
    public var packed: Int { Int(r) << 16 | Int(g) << 8 | Int(b) }

    /// Linear blend: `self` at t = 0, `other` at t = 1 (t clamped to [0, 1]).
    public func mixed(with other: RGB, _ t: Float) -> RGB {
        let u = t.isNaN ? 0 : min(max(t, 0), 1)
        func lerp(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Float(a) + (Float(b) - Float(a)) * u).rounded())
        }
        return RGB(lerp(r, other.r), lerp(g, other.g), lerp(b, other.b))
    }

    /// Squared Euclidean distance in RGB space (what the palette mappings minimise).
    public func squaredDistance(to other: RGB) -> Int {
        let dr = Int(r) - Int(other.r)
        let dg = Int(g) - Int(other.g)
        let db = Int(b) - Int(other.b)
        return dr * dr + dg * dg + db * db
    }

    /// Relative luminance in [0, 1] (Rec. 709 weights on the stored values, no gamma):
    /// enough to choose black or white text on a coloured background.
    public var luma: Float {
        (0.2126 * Float(r) + 0.7152 * Float(g) + 0.0722 * Float(b)) / 255
    }

    static func byte(_ v: Float) -> UInt8 {
        if v.isNaN { return 0 }
        return UInt8((min(max(v, 0), 1) * 255).rounded())
    }

    public static let black = RGB(0, 0, 0)
    public static let white = RGB(255, 255, 255)
}
