/// The dataset recipe of the course code: resize to 1.12x the training size, then crop.
///
/// Shorter side -> `round(1.12 · size)` (antialiased), then
/// - `.eval`: centre crop to `size` x `size`, ready to use;
/// - `.train`: kept at 1.12x so the trainer can take a random `size` x `size` crop and a random
///   horizontal flip each time it draws the image (`RGBImage.cropped(x:y:width:height:flipHorizontally:)`).
///
/// Preparing once at load time keeps memory at (1.12·size)² per image, whatever the file size.
public struct ImagePreparation: Sendable, Equatable {
    public enum Mode: String, Sendable {
        /// Keep the 1.12x image for random crops + flips.
        case train
        /// Centre crop to `size` now.
        case eval
    }

    /// Side of the square the model sees.
    public let size: Int
    public let mode: Mode
    public let filter: ResizeFilter

    public init(size: Int, mode: Mode, filter: ResizeFilter = .bilinear) {
        precondition(size > 0, "ImagePreparation: size \(size) must be positive")
        self.size = size
        self.mode = mode
        self.filter = filter
    }

    /// `round(1.12 · size)`: 32 -> 36, 64 -> 72.
    public static func oversizeSide(for size: Int) -> Int {
        Int((1.12 * Double(size)).rounded())
    }

    /// The shorter side after the resize step.
    public var resizedSide: Int { ImagePreparation.oversizeSide(for: size) }

    /// Applies the recipe to one decoded image.
    public func prepare(_ image: RGBImage) -> RGBImage {
        let resized = image.resized(shorterSide: resizedSide, filter: filter)
        switch mode {
        case .train: return resized
        case .eval: return resized.centreCropped(width: size, height: size)
        }
    }
}
