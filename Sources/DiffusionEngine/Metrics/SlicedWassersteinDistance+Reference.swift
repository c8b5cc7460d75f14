/// SWD against a reference set prepared once per run (the training set's side of a milestone).
///
/// Everything about the reference that does not depend on the samples is done once: its patch
/// descriptors, the random directions (they come from the seed, so every milestone uses the same
/// ones) and its sorted projections. A milestone then only describes, projects and sorts its own
/// samples. Same definitions as `compute(_:_:)`: against a `Reference` kept exact (at most `atoms`
/// descriptors per level) the numbers are bit for bit those of `compute(samples, images)`.
///
/// Past `atoms` descriptors a direction keeps `atoms` values instead of all of them: the means of
/// `atoms` equal-mass slices of its sorted projections (a quantile sketch; memory is levels ×
/// repeats × projections × atoms floats, 32 MB for the defaults and 8,192 atoms). By the triangle
/// inequality the sketch moves each level's SWD by at most W1(projections, sketch), averaged over
/// the directions (×10³): `sketchBound`, measured when the sketch is made.
extension SlicedWassersteinDistance {
    public struct Reference: Sendable {
        /// The resolution (height) of each level, finest first.
        public let levelResolutions: [Int]
        /// Values per descriptor (C·patch²).
        public let dimension: Int
        /// Reference descriptors per level (images × patches per image).
        public let count: Int
        /// Values kept per direction: `count` when exact, else the sketch's size.
        public let atoms: Int
        /// Per level: an upper bound on how far the sketch moves that level's SWD ×10³ (0 when exact).
        public let sketchBound: [Float]
        /// Per level: (repeats·projections, atoms), each row ascending.
        let sorted: [[Float]]
        /// Per level: (repeats·projections, dimension) unit directions, in the order `distance` draws them.
        let directions: [[Float]]

        /// True when every projection is kept (no sketch).
        public var isExact: Bool { atoms == count }
    }

    /// Prepares `images` (the dataset, in [-1, 1]) as a reference set.
    /// - Parameter atoms: values kept per direction and level; more descriptors than this are sketched.
    /// - Throws: `EngineError` when the images are smaller than a patch or `atoms` < 1.
    public static func reference(of images: Tensor, configuration c: Configuration = Configuration(), atoms maxAtoms: Int = 8192) throws -> Reference {
        guard maxAtoms >= 1 else { throw EngineError("SWD: a reference keeps at least 1 value per direction, asked \(maxAtoms)") }
        var d = try descriptors(of: images, configuration: c, stream: 2)
        let dirs = directions(levels: d.levels.count, dimension: d.dimension, configuration: c)
        let rows = c.repeats * c.projections, atoms = min(d.count, maxAtoms)
        var sorted: [[Float]] = [], bounds: [Float] = []
        for level in 0..<d.levels.count {
            var out = [Float](repeating: 0, count: rows * atoms)
            var bound = 0.0
            for rep in 0..<c.repeats {
                // The GEMM `distance` makes; then one row at a time (memory: 1,024 images give
                // 131,072 descriptors a level, 64 MB of projections a repeat).
                let projected = project(d.levels[level], count: d.count, dirs: directionSlice(dirs[level], repeat: rep, c, d.dimension),
                                        projections: c.projections, dimension: d.dimension)
                for p in 0..<c.projections {
                    var row = Array(projected[(p * d.count)..<((p + 1) * d.count)])
                    FloatSort.sort(&row)
                    let keep = atoms == d.count ? row : sketch(row, atoms: atoms)
                    out.replaceSubrange(((rep * c.projections + p) * atoms)..<((rep * c.projections + p + 1) * atoms), with: keep)
                    if atoms < d.count { bound += wasserstein1(row, keep) }
                }
            }
            d.levels[level] = []  // done with this level's descriptors
            sorted.append(out)
            bounds.append(Float(bound / Double(max(1, rows)) * 1e3))
        }
        return Reference(levelResolutions: d.levelResolutions, dimension: d.dimension, count: d.count, atoms: atoms,
                         sketchBound: bounds, sorted: sorted, directions: dirs)
    }

    /// SWD ×10³ between samples and a prepared reference set.
    /// - Throws: `EngineError` when the samples' C, H, W do not match the reference's or are too small.
    public static func compute(_ samples: Tensor, against reference: Reference, configuration c: Configuration = Configuration()) throws -> Result {
        let ds = try descriptors(of: samples, configuration: c, stream: 1)
        let rows = c.repeats * c.projections
        guard ds.levelResolutions == reference.levelResolutions, ds.dimension == reference.dimension,
              reference.sorted.allSatisfy({ $0.count == rows * reference.atoms }) else {
            throw EngineError("SWD: samples \(samples.shapeDescription) do not match the reference set's image size, channels or configuration")
        }
        let atoms = reference.atoms
        return distance(ds, directions: reference.directions, configuration: c) { level, rep in
            (0..<c.projections).map { p in
                let r = rep * c.projections + p
                return Array(reference.sorted[level][(r * atoms)..<((r + 1) * atoms)])
            }
        }
    }

    /// The random unit directions of every level: (repeats·projections, dimension) per level, drawn
    /// from the seed's stream 3 level by level, repeat by repeat (the order `distance` uses).
    static func directions(levels: Int, dimension dim: Int, configuration c: Configuration) -> [[Float]] {
        var rng = RandomGenerator(seed: c.seed).derived(stream: 3)
        let rows = c.repeats * c.projections
        return (0..<levels).map { _ in
            var dirs = [Float](repeating: 0, count: rows * dim)
            for r in 0..<rows {
                var norm = 0.0
                for k in 0..<dim { let g = rng.normal(); dirs[r * dim + k] = g; norm += Double(g) * Double(g) }
                let inv = Float(1 / norm.squareRoot())
                for k in 0..<dim { dirs[r * dim + k] *= inv }
            }
            return dirs
        }
    }

    /// Repeat `rep`'s (projections, dimension) rows of a level's directions.
    static func directionSlice(_ dirs: [Float], repeat rep: Int, _ c: Configuration, _ dim: Int) -> [Float] {
        Array(dirs[(rep * c.projections * dim)..<((rep + 1) * c.projections * dim)])
    }

    /// The quantile sketch of an ascending row: atom a = the mean of the row's quantile function over
    /// [a/q, (a+1)/q) (slices of m/q values, split values counted by the part inside). Ascending too.
    static func sketch(_ row: [Float], atoms q: Int) -> [Float] {
        let m = row.count
        var out = [Float](repeating: 0, count: q)
        // In units of 1/(m·q): value j covers [j·q, (j+1)·q), atom a covers [a·m, (a+1)·m).
        var j = 0
        for a in 0..<q {
            var pos = a * m, s = 0.0
            let hi = (a + 1) * m
            while pos < hi {
                let end = min(hi, (j + 1) * q)
                s += Double(end - pos) * Double(row[j])
                pos = end
                if end == (j + 1) * q { j += 1 }
            }
            out[a] = Float(s / Double(m))
        }
        return out
    }
}
