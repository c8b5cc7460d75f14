/// The UNet's self-attention block with a residual connection, `c -> c` channels.
///
///     q,k,v = split(qkv(norm(x)))     norm GroupNorm(groups, c), qkv 1x1 conv c -> 3*hidden
///     o = attention(q, k, v)          per head softmax(qᵀk/√headDim) over the H*W keys, weighted sum of v
///     return x + proj(o)              proj 1x1 conv hidden -> c
///
/// hidden = heads * headDim; the q/k/v channel layout is documented on `SpatialSelfAttention`.
/// Parameters (registered in this order): `name.norm`, `name.qkv`, `name.proj`. The residual add
/// happens in proj's output pass.
public final class AttentionBlock {
    public let channels: Int
    let norm: GroupNorm
    let qkv: Conv2d
    let attention: SpatialSelfAttention
    let proj: Conv2d

    public init(
        store: ParameterStore, name: String, channels: Int, heads: Int, headDim: Int, groups: Int,
        rng: inout RandomGenerator
    ) {
        self.channels = channels
        let hidden = heads * headDim
        norm = GroupNorm(store: store, name: name + ".norm", groups: groups, channels: channels)
        qkv = Conv2d(store: store, name: name + ".qkv", inChannels: channels, outChannels: 3 * hidden,
                     kernelSize: 1, rng: &rng)
        attention = SpatialSelfAttention(heads: heads, headDim: headDim)
        proj = Conv2d(store: store, name: name + ".proj", inChannels: hidden, outChannels: channels,
                      kernelSize: 1, rng: &rng)
    }

    /// (N, c, H, W) -> (N, c, H, W).
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let q = qkv.forward(norm.forward(x, training: training), training: training)  // (N, 3*hidden, H, W)
        let o = attention.forward(q, training: training)  // (N, hidden, H, W)
        return proj.forward(o, training: training, channelBias: nil, residual: x)
    }

    /// dY (N, c, H, W) -> dX (N, c, H, W).
    public func backward(_ dy: Tensor) -> Tensor {
        // forward: y = x + proj(attention(qkv(norm(x))))
        var dx = norm.backward(qkv.backward(attention.backward(proj.backward(dy))))
        addInPlace(&dx, dy)
        return dx
    }
}
