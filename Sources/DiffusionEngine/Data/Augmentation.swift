/// What the trainer does to an image each time it draws it.
///
/// Images are stored at 1.12x the model's size (`ImagePreparation`); every mode hands the model a
/// `size` x `size` window of them.
public enum Augmentation: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    /// The centre window, as drawn: every epoch sees the same images.
    case off
    /// The centre window, mirrored left-right half of the time (one random bit per image).
    case flip
    /// A random window and a random mirror (the course's `RandomCrop` + `RandomHorizontalFlip`).
    case cropFlip = "crop-flip"

    public var description: String { rawValue }

    /// Whether any randomness is drawn.
    public var isOn: Bool { self != .off }

    /// JSON: `false` and `true` for off and crop-flip (the Bool checkpoints held before flip
    /// existed, so their bytes and both engines' readers are unchanged), the name for flip.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let on = try? c.decode(Bool.self) {
            self = on ? .cropFlip : .off
            return
        }
        let name = try c.decode(String.self)
        guard let mode = Augmentation(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "augment: unknown mode \"\(name)\"; one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = mode
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .off: try c.encode(false)
        case .cropFlip: try c.encode(true)
        case .flip: try c.encode(rawValue)
        }
    }
}
