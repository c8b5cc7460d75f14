/// The training set's side of the milestone metrics, prepared once per run so that a milestone
/// costs the same whatever the dataset's size (issue 13).
///
/// - nn-RMSE: against every training image, exactly as `NearestNeighbourDistance.compute(samples:
///   training:)` (one GEMM plus an exact check; see `NearestNeighbourDistance.Reference`).
/// - SWD: against a fixed subset of at most `swdImageLimit` training images (all of them below
///   that), chosen by `subset(count:limit:seed:)` from the SWD seed alone, so every run on the
///   same folder measures against the same images; its projections are kept sorted, or past
///   `atoms` descriptors per level as a quantile sketch (`SlicedWassersteinDistance.Reference`).
///   bench/RESULTS.md (issue 13) shows the subset and the sketch move the figure by less than the
///   metric's own noise (its seed: patch positions and directions).
///
/// With at most `swdImageLimit` images and `atoms` descriptors per level (the built-in faces:
/// 51 × 128 = 6,528), both numbers are bit for bit those of the whole-set functions.
public struct MilestoneReference: Sendable {
    /// SWD's reference images (1,024 × 128 patches = 131,072 descriptors per level).
    public static let defaultSWDImageLimit = 1024
    /// Values kept per SWD direction (8,192: 32 MB; exact up to 64 images).
    public static let defaultAtoms = 8192

    public let nearestNeighbour: NearestNeighbourDistance.Reference
    public let swd: SlicedWassersteinDistance.Reference
    /// The training images SWD measures against, ascending (all of them when few enough).
    public let swdIndices: [Int]
    public let configuration: SlicedWassersteinDistance.Configuration

    /// - Parameters:
    ///   - images: the training set as the samples are measured against it, (M,C,H,W) in [-1, 1].
    ///   - swdImageLimit: the most images SWD's reference uses.
    ///   - atoms: values kept per SWD direction and level.
    /// - Throws: `EngineError` for an empty set or images smaller than an SWD patch.
    public init(images: Tensor, swdImageLimit: Int = defaultSWDImageLimit, atoms: Int = defaultAtoms,
                configuration: SlicedWassersteinDistance.Configuration = .init()) throws {
        let (m, c, h, w) = images.nchw("MilestoneReference")
        try self.init(nearestNeighbour: NearestNeighbourDistance.Reference(images), count: m, swdImageLimit: swdImageLimit,
                      atoms: atoms, configuration: configuration) { indices in
            let per = c * h * w
            var data = [Float](repeating: 0, count: indices.count * per)
            for (k, i) in indices.enumerated() {
                data.replaceSubrange((k * per)..<((k + 1) * per), with: images.data[(i * per)..<((i + 1) * per)])
            }
            return Tensor(shape: [indices.count, c, h, w], data: data)
        }
    }

    /// The reference of a training set's centre crops (`TrainingSet.centreCrops`, what the samples
    /// are measured against), without a copy of them all: nn-RMSE reads the crops where the set
    /// stores them, SWD crops its subset. The same numbers as `init(images: set.centreCrops())`.
    public init(trainingSet set: TrainingSet, swdImageLimit: Int = defaultSWDImageLimit, atoms: Int = defaultAtoms,
                configuration: SlicedWassersteinDistance.Configuration = .init()) throws {
        try self.init(nearestNeighbour: NearestNeighbourDistance.Reference(images: set.images, centreCrop: set.size), count: set.count,
                      swdImageLimit: swdImageLimit, atoms: atoms, configuration: configuration) { set.centreCrops(of: $0) }
    }

    private init(nearestNeighbour: NearestNeighbourDistance.Reference, count: Int, swdImageLimit: Int, atoms: Int,
                 configuration: SlicedWassersteinDistance.Configuration, images: ([Int]) -> Tensor) throws {
        self.nearestNeighbour = nearestNeighbour
        swdIndices = Self.subset(count: count, limit: swdImageLimit, seed: configuration.seed)
        swd = try SlicedWassersteinDistance.reference(of: images(swdIndices), configuration: configuration, atoms: atoms)
        self.configuration = configuration
    }

    /// Both metrics of a batch of samples (N,C,H,W) against the training set.
    public func measure(_ samples: Tensor) throws -> (nearestNeighbour: NearestNeighbourDistance.Result, swd: SlicedWassersteinDistance.Result) {
        (try NearestNeighbourDistance.compute(samples: samples, against: nearestNeighbour),
         try SlicedWassersteinDistance.compute(samples, against: swd, configuration: configuration))
    }

    /// The images SWD keeps out of `count`: all when `count <= limit`, else the first `limit` of a
    /// Fisher-Yates permutation from the seed's stream 4 (SWD's patches and directions use 1-3),
    /// ascending. Depends on nothing else: the same folder gives the same subset in every run.
    public static func subset(count: Int, limit: Int, seed: UInt64) -> [Int] {
        precondition(limit >= 1, "MilestoneReference.subset: limit \(limit) must be at least 1")
        if count <= limit { return Array(0..<count) }
        var rng = RandomGenerator(seed: seed).derived(stream: 4)
        return rng.permutation(count).prefix(limit).sorted()
    }
}
