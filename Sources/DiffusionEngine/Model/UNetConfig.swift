/// The shape of a DDPM-family UNet denoiser. Identical in the PyTorch twin (`reference/unet.py`).
///
/// Architecture (names in brackets are parameter-name prefixes, identical to the twin's):
///
///     temb = lin2(silu(lin1(sinusoidal(t, dim))))                [time_mlp.lin1, time_mlp.lin2]  (N, 4*dim)
///     h    = init_conv(x)             3x3, channels -> dim        [init_conv]
///     for level i in 0..<L  (resolution imageSize / 2^i, out = dim*channelMults[i]):
///         for j in 0..<resBlocks:
///             h = ResBlock(h, temb)   in -> out                   [downs.i.blocks.j]
///             h = Attention(h)        if resolution in attentionResolutions  [downs.i.attns.j]
///             skips.push(h)
///         h = down(h)                 3x3 stride 2 pad 1, out -> out, not on the last level  [downs.i.down]
///     h = ResBlock(h) ; Attention(h) ; ResBlock(h)               [mid.block1, mid.attn, mid.block2]
///     for k in 0..<L  (level i = L-1-k, out = dim*channelMults[i]):
///         for j in 0..<resBlocks:
///             h = ResBlock(concat(h, skips.pop()), temb)   (ch + out) -> out    [ups.k.blocks.j]
///             h = Attention(h)        if resolution in attentionResolutions  [ups.k.attns.j]
///         h = up(h)                   nearest 2x then 3x3 pad 1, out -> out, not on level 0  [ups.k.up]
///     out = final_conv(silu(final_norm(h)))   GroupNorm, 3x3 dim*channelMults[0] -> channels  [final_norm, final_conv]
///
///     ResBlock(x, temb), in -> out:
///         h = conv1(silu(norm1(x)))                 norm1 GroupNorm(groups, in), conv1 3x3 in -> out
///         h = h + time_proj(silu(temb))[:, :, None, None]     time_proj Linear(4*dim, out)
///         h = conv2(silu(norm2(h)))                 norm2 GroupNorm(groups, out), conv2 3x3 out -> out
///         return h + (skip(x) if in != out else x)  skip 1x1 conv in -> out
///     Attention(x), channels c, hidden = heads*headDim:
///         q,k,v = split(qkv(norm(x)))               norm GroupNorm(groups, c), qkv 1x1 c -> 3*hidden
///         per head: softmax(q^T k / sqrt(headDim)) over the H*W key positions, weighted sum of v
///         return x + proj(o)                        proj 1x1 hidden -> c
///     sinusoidal(t, d): half = d/2, f_k = exp(-ln(10000) * k / (half - 1)), [sin(t f_k) for k] ++ [cos(t f_k) for k]
///
/// Every conv and linear has a bias; GroupNorm has an affine weight and bias, eps 1e-5. Linear
/// weights are (out, in), conv weights (out, in, kh, kw) — PyTorch's layouts.
public struct UNetConfig: Codable, Equatable, Sendable {
    public var imageSize: Int
    public var channels: Int
    public var dim: Int
    public var channelMults: [Int]
    public var resBlocks: Int
    public var attentionResolutions: [Int]
    public var groups: Int
    public var attentionHeads: Int
    public var attentionHeadDim: Int

    public init(
        imageSize: Int, channels: Int = 3, dim: Int, channelMults: [Int], resBlocks: Int,
        attentionResolutions: [Int], groups: Int = 8, attentionHeads: Int = 4, attentionHeadDim: Int = 32
    ) {
        self.imageSize = imageSize
        self.channels = channels
        self.dim = dim
        self.channelMults = channelMults
        self.resBlocks = resBlocks
        self.attentionResolutions = attentionResolutions
        self.groups = groups
        self.attentionHeads = attentionHeads
        self.attentionHeadDim = attentionHeadDim
    }

    /// Width of the time embedding after the MLP.
    public var timeEmbeddingDim: Int { 4 * dim }
    /// Number of resolution levels.
    public var levels: Int { channelMults.count }

    /// The interactive default: small enough to show recognisable faces within minutes on 2 cores.
    public static let tiny = UNetConfig(
        imageSize: 32, channels: 3, dim: 32, channelMults: [1, 2, 2], resBlocks: 1,
        attentionResolutions: [], groups: 8, attentionHeads: 2, attentionHeadDim: 32)

    /// The course's model: dim 64, mults 1,2,4,8 at 32x32.
    public static let course = UNetConfig(
        imageSize: 32, channels: 3, dim: 64, channelMults: [1, 2, 4, 8], resBlocks: 2,
        attentionResolutions: [16], groups: 8, attentionHeads: 4, attentionHeadDim: 32)

    /// 64x64 on a laptop CPU: `tiny` with a fourth level, so the bottleneck stays 8x8 (1.1M parameters).
    public static let tiny64 = UNetConfig(
        imageSize: 64, channels: 3, dim: 32, channelMults: [1, 2, 2, 2], resBlocks: 1,
        attentionResolutions: [], groups: 8, attentionHeads: 2, attentionHeadDim: 32)

    /// The course's model at 64x64, for GPUs (the PyTorch trainer under torchrun): attention at 16.
    public static let course64 = UNetConfig(
        imageSize: 64, channels: 3, dim: 64, channelMults: [1, 2, 4, 8], resBlocks: 2,
        attentionResolutions: [16], groups: 8, attentionHeads: 4, attentionHeadDim: 32)

    /// A very small config for fixtures and fast tests (every layer kind appears).
    public static let fixture = UNetConfig(
        imageSize: 8, channels: 3, dim: 8, channelMults: [1, 2], resBlocks: 1,
        attentionResolutions: [4], groups: 4, attentionHeads: 2, attentionHeadDim: 4)

    /// Presets by name, as the CLI spells them.
    public static let presets: [String: UNetConfig] = [
        "tiny": .tiny, "course": .course, "tiny64": .tiny64, "course64": .course64, "fixture": .fixture,
    ]

    /// Checks the config is buildable; the message names the offending field.
    public func validate() throws {
        guard imageSize > 0, channels > 0, dim > 0, resBlocks > 0, !channelMults.isEmpty else {
            throw EngineError("UNet config: imageSize, channels, dim, resBlocks and channelMults must be positive")
        }
        guard dim % 2 == 0, dim >= 4 else { throw EngineError("UNet config: dim \(dim) must be even and at least 4") }
        let down = 1 << (levels - 1)
        guard imageSize % down == 0 else {
            throw EngineError("UNet config: imageSize \(imageSize) must be divisible by 2^(levels-1) = \(down)")
        }
        for m in channelMults where (dim * m) % groups != 0 {
            throw EngineError("UNet config: channels \(dim * m) are not divisible by groups \(groups)")
        }
        guard attentionHeads > 0, attentionHeadDim > 0 else {
            throw EngineError("UNet config: attention heads and head dim must be positive")
        }
    }
}
