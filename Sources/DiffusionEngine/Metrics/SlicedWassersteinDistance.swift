import CBLAS

/// Sliced Wasserstein distance between two image sets on Laplacian-pyramid patches
/// (Karras et al. 2018, "SWD"), the quality metric the workbench logs instead of FID.
///
/// Recipe (the original `metrics/sliced_wasserstein.py`, with its defaults):
/// 1. Pyramid: `LaplacianPyramid.build` with levels at resolutions H, H/2, ... down to
///    `minResolution` (16); for 32x32 images that is 2 levels (32: detail, 16: the residual).
///    An image smaller than `minResolution` gets one level (itself) if a patch fits.
/// 2. Descriptors: from every image and level, `patchesPerImage` (128) patches of
///    `patchSize`² (7x7) pixels at uniformly random positions, flattened to C·7·7 values.
/// 3. Normalisation, per set and level: subtract each channel's mean and divide by its std, both
///    taken over all descriptors and the 49 positions (so the metric ignores global brightness
///    and contrast and compares structure).
/// 4. Distance, per level: `repeats` (4) times draw `projections` (128) random unit directions in
///    descriptor space (Gaussian, normalised; the same for both sets), project both sets, sort
///    each projection and take the 1-D Wasserstein-1 distance (the mean |sorted_A - sorted_B| for
///    equal counts; the exact integral of |F_A⁻¹ - F_B⁻¹| for unequal counts); average over all
///    directions.
/// 5. Report ×10³ (the paper's tables), per level (finest first) and their mean.
///
/// Everything random comes from `seed` (patch positions of set A, of set B, and the directions
/// use separate derived streams), so the metric is reproducible.
public enum SlicedWassersteinDistance {
    /// The recipe's knobs; the defaults are the paper's.
    public struct Configuration: Codable, Equatable, Sendable {
        public var patchSize = 7
        public var patchesPerImage = 128
        public var projections = 128
        public var repeats = 4
        public var minResolution = 16
        public var seed: UInt64 = 0

        public init(patchSize: Int = 7, patchesPerImage: Int = 128, projections: Int = 128, repeats: Int = 4, minResolution: Int = 16, seed: UInt64 = 0) {
            self.patchSize = patchSize
            self.patchesPerImage = patchesPerImage
            self.projections = projections
            self.repeats = repeats
            self.minResolution = minResolution
            self.seed = seed
        }
    }

    /// SWD ×10³ per pyramid level and their mean.
    public struct Result: Codable, Equatable, Sendable {
        /// The resolution (height) of each level, finest first.
        public let levelResolutions: [Int]
        /// SWD ×10³ of each level, finest first.
        public let perLevel: [Float]
        /// The mean over levels.
        public let mean: Float
    }

    /// The normalised patch descriptors of one image set, per level (computed once for a dataset
    /// and reused against every batch of samples).
    public struct Descriptors: Sendable {
        public let levelResolutions: [Int]
        /// Per level: count × dimension values, row-major.
        public internal(set) var levels: [[Float]]
        public let count: Int
        public let dimension: Int
    }

    /// SWD between two sets of images in [-1, 1].
    /// - Parameters: a, b (N,C,H,W) and (M,C,H,W) with the same C, H, W.
    /// - Throws: `EngineError` when the shapes differ or the images are smaller than a patch.
    public static func compute(_ a: Tensor, _ b: Tensor, configuration: Configuration = Configuration()) throws -> Result {
        guard a.rank == 4, b.rank == 4, Array(a.shape.dropFirst()) == Array(b.shape.dropFirst()) else {
            throw EngineError("SWD: image sets \(a.shapeDescription) and \(b.shapeDescription) must both be (N,C,H,W) with the same C, H, W")
        }
        let da = try descriptors(of: a, configuration: configuration, stream: 1)
        let db = try descriptors(of: b, configuration: configuration, stream: 2)
        return distance(da, db, configuration: configuration)
    }

    /// The descriptors of a reference set (the dataset), computed once and reused with
    /// `compute(_:against:configuration:)`; gives the same numbers as `compute(samples, reference)`.
    public static func referenceDescriptors(of reference: Tensor, configuration: Configuration = Configuration()) throws -> Descriptors {
        try descriptors(of: reference, configuration: configuration, stream: 2)
    }

    /// SWD between samples and a reference set whose descriptors were computed beforehand
    /// (saves the reference's pyramid and patch extraction at every milestone).
    /// - Throws: `EngineError` when the samples' C, H, W do not match the reference's.
    public static func compute(_ samples: Tensor, against reference: Descriptors, configuration: Configuration = Configuration()) throws -> Result {
        let ds = try descriptors(of: samples, configuration: configuration, stream: 1)
        guard ds.levelResolutions == reference.levelResolutions, ds.dimension == reference.dimension else {
            throw EngineError("SWD: samples \(samples.shapeDescription) do not match the reference set's image size or channels")
        }
        return distance(ds, reference, configuration: configuration)
    }

    /// The pyramid resolutions used for images of height/width h, w.
    public static func levelResolutions(height h: Int, width w: Int, configuration c: Configuration) -> [Int] {
        var res: [Int] = []
        var r = min(h, w)
        if r < c.minResolution { return r >= c.patchSize ? [h] : [] }
        var hh = h
        while r >= c.minResolution { res.append(hh); r = (r + 1) / 2; hh = (hh + 1) / 2 }
        return res
    }

    /// Extracts and normalises the patch descriptors of one set.
    /// - Parameter stream: which derived random stream places the patches (1 and 2 for A and B).
    public static func descriptors(of images: Tensor, configuration c: Configuration, stream: UInt64) throws -> Descriptors {
        let (n, ch, h, w) = images.nchw("SWD.descriptors")
        let resolutions = levelResolutions(height: h, width: w, configuration: c)
        guard n > 0, !resolutions.isEmpty, c.patchSize >= 1, c.patchesPerImage >= 1 else {
            throw EngineError("SWD: need at least one image of at least \(c.patchSize)x\(c.patchSize) pixels, got \(images.shapeDescription)")
        }
        var rng = RandomGenerator(seed: c.seed).derived(stream: stream)
        let pyramid = LaplacianPyramid.build(images, levels: resolutions.count)
        let p = c.patchSize, dim = ch * p * p, count = n * c.patchesPerImage
        var levels: [[Float]] = []
        for level in pyramid {
            let (_, _, lh, lw) = level.nchw("SWD level")
            guard lh >= p, lw >= p else {
                throw EngineError("SWD: pyramid level \(lh)x\(lw) is smaller than a \(p)x\(p) patch; lower minResolution or patchSize")
            }
            // desc: (count, C, p, p)
            var desc = [Float](repeating: 0, count: count * dim)
            for img in 0..<n {
                for k in 0..<c.patchesPerImage {
                    let y = rng.int(below: lh - p + 1), x = rng.int(below: lw - p + 1)
                    let row = (img * c.patchesPerImage + k) * dim
                    for cc in 0..<ch {
                        for dy in 0..<p {
                            let src = ((img * ch + cc) * lh + y + dy) * lw + x
                            let dst = row + (cc * p + dy) * p
                            for dx in 0..<p { desc[dst + dx] = level.data[src + dx] }
                        }
                    }
                }
            }
            // Per-channel mean and std over all descriptors and positions.
            for cc in 0..<ch {
                var s = 0.0, s2 = 0.0
                for r in 0..<count {
                    for q in 0..<(p * p) { let v = Double(desc[r * dim + cc * p * p + q]); s += v; s2 += v * v }
                }
                let m = s / Double(count * p * p)
                let sd = max((s2 / Double(count * p * p) - m * m), 0).squareRoot()
                let inv = sd > 1e-12 ? 1 / sd : 1
                for r in 0..<count {
                    for q in 0..<(p * p) {
                        let i = r * dim + cc * p * p + q
                        desc[i] = Float((Double(desc[i]) - m) * inv)
                    }
                }
            }
            levels.append(desc)
        }
        return Descriptors(levelResolutions: resolutions, levels: levels, count: count, dimension: dim)
    }

    /// SWD ×10³ between two descriptor sets made with the same configuration.
    public static func distance(_ a: Descriptors, _ b: Descriptors, configuration c: Configuration) -> Result {
        precondition(a.levelResolutions == b.levelResolutions && a.dimension == b.dimension,
                     "SWD.distance: descriptor sets differ in levels \(a.levelResolutions) vs \(b.levelResolutions) or dimension \(a.dimension) vs \(b.dimension)")
        let dirs = directions(levels: a.levels.count, dimension: a.dimension, configuration: c)
        return distance(a, directions: dirs, configuration: c) { level, rep in
            sortedProjections(b, level: level, directions: directionSlice(dirs[level], repeat: rep, c, b.dimension), configuration: c)
        }
    }

    /// SWD ×10³ of descriptors `a` against a reference given as sorted projections:
    /// `reference(level, rep)` returns that repeat's `projections` rows, each ascending.
    static func distance(_ a: Descriptors, directions dirs: [[Float]], configuration c: Configuration,
                         reference: (_ level: Int, _ rep: Int) -> [[Float]]) -> Result {
        var perLevel: [Float] = []
        for level in 0..<a.levels.count {
            var total = 0.0
            for rep in 0..<c.repeats {
                let sa = sortedProjections(a, level: level, directions: directionSlice(dirs[level], repeat: rep, c, a.dimension), configuration: c)
                let sb = reference(level, rep)
                for r in 0..<c.projections { total += wasserstein1(sa[r], sb[r]) }
            }
            perLevel.append(Float(total / Double(max(1, c.repeats * c.projections)) * 1e3))
        }
        let mean = perLevel.isEmpty ? 0 : perLevel.reduce(0, +) / Float(perLevel.count)
        return Result(levelResolutions: a.levelResolutions, perLevel: perLevel, mean: mean)
    }

    /// One repeat's projections of a level's descriptors, each row sorted ascending.
    static func sortedProjections(_ d: Descriptors, level: Int, directions: [Float], configuration c: Configuration) -> [[Float]] {
        let p = project(d.levels[level], count: d.count, dirs: directions, projections: c.projections, dimension: d.dimension)
        return (0..<c.projections).map { r in
            var row = Array(p[(r * d.count)..<((r + 1) * d.count)])
            FloatSort.sort(&row)
            return row
        }
    }

    /// proj = dirs · descᵀ: (P, D) × (count, D)ᵀ -> (P, count), one row per direction.
    static func project(_ desc: [Float], count: Int, dirs: [Float], projections: Int, dimension: Int) -> [Float] {
        var out = [Float](repeating: 0, count: projections * count)
        dirs.withUnsafeBufferPointer { d in
            desc.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { o in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, blasint(projections), blasint(count), blasint(dimension),
                        1, d.baseAddress, blasint(dimension), x.baseAddress, blasint(dimension), 0, o.baseAddress, blasint(count))
                }
            }
        }
        return out
    }

    /// W1 between two empirical 1-D distributions given as sorted samples:
    /// ∫₀¹ |F_a⁻¹(u) - F_b⁻¹(u)| du over the merged quantile breakpoints i/n and j/m.
    public static func wasserstein1(_ a: [Float], _ b: [Float]) -> Double {
        let n = a.count, m = b.count
        guard n > 0, m > 0 else { return 0 }
        var i = 0, j = 0, u = 0.0, acc = 0.0
        while i < n && j < m {
            // The next breakpoint is min((i+1)/n, (j+1)/m); compare exactly in integers.
            let ai = (i + 1) * m, bj = (j + 1) * n
            let next = Double(min(ai, bj)) / Double(n * m)
            acc += (next - u) * Double(abs(a[i] - b[j]))
            u = next
            if ai <= bj { i += 1 }
            if bj <= ai { j += 1 }
        }
        return acc
    }
}
