/// One Winograd minimal-filtering variant F(m x m, 3x3) for `Conv2d`'s 3x3 / stride 1 / padding 1
/// convolutions: its tile, when it applies, and the transforms that differ between variants.
///
/// Each m x m block of outputs ("tile") comes from the α x α input patch around it (α = m + 2) as
/// `Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A` (Lavin & Gray 2016), so the sum over input channels
/// becomes α² GEMMs `M_ξ (O, T) = U_ξ (O, C) · V_ξ (C, T)`, one per position ξ of the transformed
/// tile, over the T tiles of a slab. What is the same for every variant — the slabs, the GEMMs,
/// the per-thread partials of the weight gradient — is one driver per pass, generic over this
/// protocol (`Conv2d.winogradConvolve`, `Conv2d.winogradWeightGradients`), specialised per variant
/// so the transforms below are direct calls. Variants: `WinogradF2x2` and `WinogradF4x4`.
///
/// Layouts: U (α², O, C), V (α², C, T), M and dM (α², O, T), each ξ-plane row-major; the tiles of
/// a slab are numbered image by image, tile row by tile row.
protocol WinogradTransforms {
    /// Output tile side m: m x m outputs per tile from an α x α patch, α = m + 2.
    static var outputTile: Int { get }
    /// Tiles per slab (the GEMMs' width T): V is α²·C·T floats, sized to stay in L2.
    static var slabTiles: Int { get }
    /// Fewest tiles in a batch for this variant: below it the weight transform (α²·O·C floats per
    /// call) or an idle thread costs more than the GEMMs save.
    static var minTiles: Int { get }
    /// Most channels on either side: the transforms' rounding grows with the channel sum.
    static var maxChannels: Int { get }
    /// Floats of row scratch `input` needs for an image `w` wide.
    static func inputScratch(w: Int) -> Int

    /// U from W (O, C, 3, 3): U_ξ[o][c] = (G g Gᵀ)[ξ] with g = W[o][c], (α², O, C). With `flipped`,
    /// the kernel of the input gradient — g = rot180(W[o][c]) at (c, o) — in whatever layout
    /// `kernelPlane(_:flipped: true)` reads.
    static func weights(_ w: UnsafePointer<Float>, o: Int, c: Int, flipped: Bool, into u: UnsafeMutablePointer<Float>)
    /// The U plane that multiplies V_ξ, and whether the GEMM reads it transposed (stored (C', O')
    /// for a product (O', T) = U_ξᵀ · V_ξ): how the flipped kernel is found in `weights`' output.
    static func kernelPlane(_ xi: Int, flipped: Bool) -> (plane: Int, transposed: Bool)
    /// V = Bᵀ d B for tile rows `tileRows` of one image (C, h, w), zero outside the image, into
    /// columns starting at `v` (planes `planeStride` apart, channel rows `ld` apart); `z` is
    /// scratch of `inputScratch(w:)` floats.
    static func input(
        _ x: UnsafePointer<Float>, channels: Int, h: Int, w: Int, tileRows: Range<Int>,
        into v: UnsafeMutablePointer<Float>, ld: Int, planeStride: Int, z: UnsafeMutablePointer<Float>)
    /// Y = Aᵀ M A for tile rows `tileRows` of one image, from columns starting at `m` (planes
    /// `planeStride` apart, rows `ld` apart), into the image's (rows, h, w) output plus `bias[r]`
    /// (+ `extra[r]`) (+ `residual`, laid out as the output); `scratch` holds
    /// `outputScratch(tiles:)` floats for the image's tiles in `tileRows`.
    static func output(
        _ m: UnsafePointer<Float>, rows: Int, ld: Int, planeStride: Int, tileRows: Range<Int>, h: Int, w: Int,
        into y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, extra: UnsafePointer<Float>?,
        residual: UnsafePointer<Float>?, scratch: UnsafeMutablePointer<Float>)
    /// dM = A dY_tile Aᵀ (α x α from each m x m block of dY) for tile rows `tileRows` of one image's
    /// (rows, h, w) gradient, into columns starting at `dm` (planes `planeStride` apart, rows `ld`).
    static func outputGradient(
        _ dy: UnsafePointer<Float>, rows: Int, h: Int, w: Int, tileRows: Range<Int>,
        into dm: UnsafeMutablePointer<Float>, ld: Int, planeStride: Int)
    /// dW (O, C, 3, 3) += Gᵀ dU G for every (o, c); dU (α², O, C), `count` = O*C.
    static func weightGradient(_ du: UnsafePointer<Float>, count: Int, into dw: UnsafeMutablePointer<Float>)
}

extension WinogradTransforms {
    /// Side of the transformed tile, m + 2.
    static var alpha: Int { outputTile + 2 }
    /// Positions ξ of the transformed tile: α² GEMMs per slab.
    static var positions: Int { alpha * alpha }

    /// Floats of `output`'s scratch for `tiles` tiles: (m·α, tiles), Aᵀ M over the first index.
    static func outputScratch(tiles: Int) -> Int { outputTile * alpha * tiles }

    /// Where the tiles of a batch of n images h x w go: slabs of tile rows (or of whole images)
    /// of about `slabTiles` tiles, at least one per pool thread where the batch allows.
    static func plan(images n: Int, h: Int, w: Int) -> Conv2d.SlabPlan {
        Conv2d.SlabPlan(
            images: n, rows: h / outputTile, rowWidth: w / outputTile, target: slabTiles, parts: ComputePool.shared.width)
    }
}
