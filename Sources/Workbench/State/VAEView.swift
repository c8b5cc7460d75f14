import DiffusionEngine

/// The VAE screen's cursors: the two training images the interpolation runs between, where the
/// cursor stands on it, the prior samples' seed, and which view shows (the model's, or the VAE
/// beside a diffusion checkpoint).
public struct VAEView: Equatable, Sendable {
    /// Training images the screen can use (the first few of the set); the indices wrap over it.
    public var imageCount: Int
    /// The interpolation's ends: indices into those images.
    public var from = 0
    public var to = 1
    /// Images on the interpolation row, both ends included.
    public static let interpolationSteps = 9
    /// The row's image under the cursor (0 = `from`, steps-1 = `to`).
    public var position = 0
    /// Seed of the prior samples shown (`n` draws new ones).
    public var priorSeed: UInt64 = 1
    /// The "VAE vs diffusion" view instead of the model view.
    public var versus = false

    public init(imageCount: Int) {
        self.imageCount = max(1, imageCount)
        to = min(1, self.imageCount - 1)
    }

    /// α of the cursor's image: position / (steps - 1).
    public var alpha: Double { Double(position) / Double(Self.interpolationSteps - 1) }
}
