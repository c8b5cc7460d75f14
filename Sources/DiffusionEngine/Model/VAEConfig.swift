/// The shape of a convolutional VAE and the weights of its loss. Identical in the PyTorch twin
/// (`reference/vae.py`); field names are the checkpoint's JSON keys.
///
/// Architecture (names in brackets are parameter-name prefixes, identical to the twin's;
/// L = channelMults.count, s = imageSize / 2^(L-1) the bottom side, cb = dim * channelMults[L-1]):
///
///     encoder:
///         h = init_conv(x)              3x3, channels -> dim                      [encoder.init_conv]
///         for level i in 0..<L  (out = dim*channelMults[i]):
///             for j in 0..<resBlocks:  h = ResBlock(h)   in -> out, no time input  [encoder.downs.i.blocks.j]
///             h = down(h)               3x3 stride 2 pad 1, out -> out, not on the last level  [encoder.downs.i.down]
///         h = silu(final_norm(h))       GroupNorm(groups, cb)                     [encoder.final_norm]
///         map latent (zc, s, s):   stats = to_stats(h)             3x3 pad 1, cb -> 2*zc   [encoder.to_stats]
///         vector latent (zd):      stats = to_stats(flatten(h))    Linear(cb*s*s, 2*zd)    [encoder.to_stats]
///         μ, log σ² = stats split in two along channels (the first half is μ)
///     z = μ + exp(½ log σ²) ⊙ ε,   ε ~ N(0, I)       (log σ² clamped to [-30, 20] first)
///     decoder:
///         map latent:     h = from_latent(z)                3x3 pad 1, zc -> cb      [decoder.from_latent]
///         vector latent:  h = reshape(from_latent(z))       Linear(zd, cb*s*s) -> (cb, s, s)
///         for k in 0..<L  (level i = L-1-k, out = dim*channelMults[i]):
///             for j in 0..<resBlocks:  h = ResBlock(h)   in -> out, no time input  [decoder.ups.k.blocks.j]
///             h = up(h)                 nearest 2x then 3x3 pad 1, out -> out, not on level 0  [decoder.ups.k.up]
///         x̂ = final_conv(silu(final_norm(h)))   GroupNorm, 3x3 dim*channelMults[0] -> channels  [decoder.final_norm, decoder.final_conv]
///
/// The ResBlock is the UNet's without `time_proj` (see `ResBlock`). There are no skip connections
/// between encoder and decoder: everything the decoder knows passes through z.
///
/// Loss per image (`VAELoss`): reconstruction summed over its C·H·W values (L2: Σ (x̂ - x)²,
/// L1: Σ |x̂ - x|) plus β·KL(q(z|x) ‖ N(0, I)) summed over the latent's values; the batch loss is
/// the mean over images. Both terms are sums per image so that β weighs two quantities of the same
/// kind whatever the image and latent sizes: with L2 and β = 1 the loss is the negative ELBO of a
/// Gaussian decoder of variance ½ (in [-1, 1] units), up to a constant. Averaging the
/// reconstruction per pixel instead would multiply the effective β by C·H·W (3072 at 32x32 RGB),
/// so a β tuned at one size would mean something else at another.
public struct VAEConfig: Codable, Equatable, Sendable {
    public var imageSize: Int
    public var channels: Int
    public var dim: Int
    public var channelMults: [Int]
    public var resBlocks: Int
    public var groups: Int
    /// One image's latent: [zc, s, s] (a spatial map; s must be the bottom side) or [zd] (a vector).
    public var latentShape: [Int]
    /// Weight of the KL term once warmed up.
    public var beta: Float
    /// Steps over which the KL weight rises linearly from 0 to `beta` (0: `beta` from the start).
    public var klWarmupSteps: Int
    /// The reconstruction term: summed squared (L2) or absolute (L1) error.
    public var reconstruction: ReconstructionLoss

    /// Summed squared or absolute error per image.
    public enum ReconstructionLoss: String, Codable, Sendable, CaseIterable {
        case l2, l1
    }

    public init(
        imageSize: Int, channels: Int = 3, dim: Int, channelMults: [Int], resBlocks: Int = 1, groups: Int = 8,
        latentShape: [Int], beta: Float = 1, klWarmupSteps: Int = 0, reconstruction: ReconstructionLoss = .l2
    ) {
        self.imageSize = imageSize
        self.channels = channels
        self.dim = dim
        self.channelMults = channelMults
        self.resBlocks = resBlocks
        self.groups = groups
        self.latentShape = latentShape
        self.beta = beta
        self.klWarmupSteps = klWarmupSteps
        self.reconstruction = reconstruction
    }

    /// Number of resolution levels.
    public var levels: Int { channelMults.count }
    /// The side of the encoder's last feature map.
    public var bottomSide: Int { imageSize >> (levels - 1) }
    /// Channels of the encoder's last feature map.
    public var bottomChannels: Int { dim * channelMults[levels - 1] }
    /// True for a spatial latent map, false for a vector.
    public var isSpatialLatent: Bool { latentShape.count == 3 }
    /// Values in one image's latent (zc·s·s or zd).
    public var latentCount: Int { latentShape.reduce(1, *) }
    /// The KL breakdown's unit: a map's channels (each over its s·s positions), or a vector's entries.
    public var latentUnits: Int { latentShape[0] }
    /// "4x8x8" or "128".
    public var latentDescription: String { latentShape.map(String.init).joined(separator: "x") }

    /// The KL weight after `step` optimizer steps: β·min(1, step / klWarmupSteps).
    public func klWeight(step: Int) -> Float {
        guard klWarmupSteps > 0, step < klWarmupSteps else { return beta }
        return beta * Float(step) / Float(klWarmupSteps)
    }

    /// The default (`--model vae`): 32x32 images to a 128-vector, β = 1, L2, no warm-up.
    ///
    /// Tuned on 200 Twemoji that are not the built-in faces (300 steps of batch 16): a 4x8x8 map
    /// reconstructed best early (RMSE 0.23 vs 0.29) but its prior samples were textures, not
    /// images (nn-RMSE 0.41, SWD 146), since N(0, I) draws each of its 64 positions on its own;
    /// the 128-vector's were closer to the data (nn-RMSE 0.30, SWD 122). β = 0.5 reconstructed
    /// better (0.25) with worse samples (SWD 135), β = 2 the reverse (0.32; nn-RMSE 0.29, SWD 133);
    /// a 32-vector was no better (0.29, nn-RMSE 0.35). β = 1 is also the plain ELBO (`VAELoss`).
    public static let tiny = VAEConfig(
        imageSize: 32, channels: 3, dim: 32, channelMults: [1, 2, 2], resBlocks: 1, groups: 8,
        latentShape: [128], beta: 1, klWarmupSteps: 0, reconstruction: .l2)

    /// A very small config for fixtures and fast tests (spatial latent).
    public static let fixture = VAEConfig(
        imageSize: 8, channels: 3, dim: 8, channelMults: [1, 2], resBlocks: 1, groups: 4,
        latentShape: [2, 4, 4], beta: 0.5, klWarmupSteps: 0, reconstruction: .l2)

    /// The fixture with a vector latent and L1 reconstruction (the other two code paths).
    public static let fixtureVector = VAEConfig(
        imageSize: 8, channels: 3, dim: 8, channelMults: [1, 2], resBlocks: 1, groups: 4,
        latentShape: [6], beta: 0.5, klWarmupSteps: 0, reconstruction: .l1)

    /// Checks the config is buildable; the message names the offending field.
    public func validate() throws {
        guard imageSize > 0, channels > 0, dim > 0, resBlocks > 0, !channelMults.isEmpty,
              channelMults.allSatisfy({ $0 > 0 }) else {
            throw EngineError("VAE config: imageSize, channels, dim, resBlocks and channelMults must be positive")
        }
        let down = 1 << (levels - 1)
        guard imageSize % down == 0 else {
            throw EngineError("VAE config: imageSize \(imageSize) must be divisible by 2^(levels-1) = \(down)")
        }
        for m in channelMults where (dim * m) % groups != 0 {
            throw EngineError("VAE config: channels \(dim * m) are not divisible by groups \(groups)")
        }
        guard latentShape.allSatisfy({ $0 > 0 }) else {
            throw EngineError("VAE config: latent \(latentDescription) must be positive sizes")
        }
        switch latentShape.count {
        case 1: break
        case 3:
            guard latentShape[1] == bottomSide, latentShape[2] == bottomSide else {
                throw EngineError("VAE config: latent \(latentDescription) needs side \(bottomSide): a \(imageSize)px image halves \(levels - 1) time\(levels == 2 ? "" : "s") (mults \(channelMults.map(String.init).joined(separator: "-"))); use latent=\(latentShape[0])x\(bottomSide)x\(bottomSide), or change mults")
            }
        default:
            throw EngineError("VAE config: latent \(latentDescription) must be CxSxS (a map) or N (a vector)")
        }
        guard beta >= 0, beta.isFinite else { throw EngineError("VAE config: beta must be 0 or positive (got \(beta))") }
        guard klWarmupSteps >= 0 else { throw EngineError("VAE config: the KL warm-up must be 0 or more steps (got \(klWarmupSteps))") }
    }
}
