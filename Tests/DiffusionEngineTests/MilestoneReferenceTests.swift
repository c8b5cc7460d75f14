import Testing
@testable import DiffusionEngine

/// The training set's side of the milestone metrics made once per run (issue 13): the same
/// numbers as the whole-set functions where nothing is subsampled or sketched, a deterministic
/// subset where something is.
@Suite struct MilestoneReferenceTests {
    /// Small SWD settings so the suite stays fast in debug builds (MetricTests' knobs).
    static let config = SlicedWassersteinDistance.Configuration(patchesPerImage: 32, projections: 32, repeats: 2, seed: 5)

    @Test func nearestNeighbourThroughTheGEMMIsTheExactSearch() throws {
        var g = RandomGenerator(seed: 21)
        for (n, m, c, side) in [(16, 40, 3, 8), (3, 7, 1, 9), (1, 1, 3, 4)] {
            let samples = g.uniformTensor([n, c, side, side], lo: -1, hi: 1)
            let training = g.uniformTensor([m, c, side, side], lo: -1, hi: 1)
            let exact = try NearestNeighbourDistance.compute(samples: samples, training: training)
            let fast = try NearestNeighbourDistance.compute(samples: samples, against: .init(training))
            #expect(fast == exact, "N=\(n) M=\(m) \(c)x\(side)x\(side)")
        }
    }

    /// The training set's centre crops read in place (stored 11x11, crops of 8: offset 1) give the
    /// numbers of the copied crops, and so does the whole milestone reference.
    @Test func centreCropsReadInPlaceAreTheCopiedCrops() throws {
        var g = RandomGenerator(seed: 31)
        let set = try TrainingSet(images: g.uniformTensor([12, 3, 11, 11], lo: -1, hi: 1), size: 8, names: [])
        let crops = set.centreCrops()
        let samples = g.uniformTensor([5, 3, 8, 8], lo: -1, hi: 1)
        let exact = try NearestNeighbourDistance.compute(samples: samples, training: crops)
        #expect(try NearestNeighbourDistance.compute(samples: samples, against: .init(images: set.images, centreCrop: 8)) == exact)
        #expect(throws: EngineError.self) { try NearestNeighbourDistance.Reference(images: set.images, centreCrop: 12) }
        let config = SlicedWassersteinDistance.Configuration(patchSize: 3, patchesPerImage: 8, projections: 8, repeats: 2, minResolution: 4)
        let inPlace = try MilestoneReference(trainingSet: set, swdImageLimit: 5, configuration: config).measure(samples)
        let copied = try MilestoneReference(images: crops, swdImageLimit: 5, configuration: config).measure(samples)
        #expect(inPlace.nearestNeighbour == exact && inPlace.nearestNeighbour == copied.nearestNeighbour && inPlace.swd == copied.swd)
    }

    @Test func nearestNeighbourTiesAndNearTiesPickTheSameImage() throws {
        // Training images 1 and 3 equal image 0; images 2 and 4 differ from it in one value by
        // 1e-6 and 2e-6, far inside the GEMM's rounding. The samples are the images themselves
        // and copies nudged by less than that: only the exact check can rank them.
        var g = RandomGenerator(seed: 22)
        let base = g.uniformTensor([1, 3, 16, 16], lo: -1, hi: 1)
        let per = base.count
        var training = Tensor(zeros: [5, 3, 16, 16])
        for i in 0..<5 { for k in 0..<per { training.data[i * per + k] = base.data[k] } }
        training.data[2 * per + 7] += 1e-6
        training.data[4 * per + 7] += 2e-6
        var samples = training
        samples.data[7] += 1.6e-6          // sample 0: 0.4e-6 from image 4, 0.6e-6 from image 2
        samples.data[3 * per + 100] -= 1e-7
        let exact = try NearestNeighbourDistance.compute(samples: samples, training: training)
        let fast = try NearestNeighbourDistance.compute(samples: samples, against: .init(training))
        #expect(fast == exact)
        #expect(exact.nearestIndex[1] == 0 && exact.nearestIndex[3] == 0, "ties go to the first image: \(exact.nearestIndex)")
    }

    @Test func nearestNeighbourOfANonFiniteSampleIsWhatItWas() throws {
        var g = RandomGenerator(seed: 23)
        var samples = g.uniformTensor([2, 1, 4, 4], lo: -1, hi: 1)
        let training = g.uniformTensor([3, 1, 4, 4], lo: -1, hi: 1)
        samples.data[3] = .nan
        let exact = try NearestNeighbourDistance.compute(samples: samples, training: training)
        let fast = try NearestNeighbourDistance.compute(samples: samples, against: .init(training))
        #expect(fast.nearestIndex == exact.nearestIndex)
        #expect(fast.perSample[1] == exact.perSample[1] && fast.perSample[0].isInfinite == exact.perSample[0].isInfinite)
        #expect(throws: EngineError.self) { try NearestNeighbourDistance.compute(samples: Tensor(zeros: [1, 3, 4, 4]), against: .init(training)) }
        #expect(throws: EngineError.self) { try NearestNeighbourDistance.Reference(Tensor(zeros: [0, 1, 4, 4])) }
    }

    @Test func swdAgainstAReferenceIsTheWholeSetFunction() throws {
        let images = smoothImages(n: 10, c: 3, h: 32, w: 32, seed: 24)
        var samples = smoothImages(n: 4, c: 3, h: 32, w: 32, seed: 25)
        for i in 0..<samples.count { samples.data[i] *= 0.8 }
        let whole = try SlicedWassersteinDistance.compute(samples, images, configuration: Self.config)
        let reference = try SlicedWassersteinDistance.reference(of: images, configuration: Self.config)
        #expect(reference.isExact && reference.count == 10 * 32 && reference.sketchBound == [0, 0])
        #expect(try SlicedWassersteinDistance.compute(samples, against: reference, configuration: Self.config) == whole)
        // The paper's settings too (the session's): 4 images x 128 patches stay exact.
        let paper = try SlicedWassersteinDistance.compute(samples, Self.slice(images, 0..<4))
        #expect(try SlicedWassersteinDistance.compute(samples, against: SlicedWassersteinDistance.reference(of: Self.slice(images, 0..<4))) == paper)
        #expect(throws: EngineError.self) {
            try SlicedWassersteinDistance.compute(Tensor(zeros: [1, 1, 32, 32]), against: reference, configuration: Self.config)
        }
    }

    @Test func swdSketchStaysWithinItsBound() throws {
        let images = smoothImages(n: 10, c: 3, h: 32, w: 32, seed: 26)
        let samples = smoothImages(n: 3, c: 3, h: 32, w: 32, seed: 27)
        let whole = try SlicedWassersteinDistance.compute(samples, images, configuration: Self.config)
        let sketch = try SlicedWassersteinDistance.reference(of: images, configuration: Self.config, atoms: 37)
        #expect(!sketch.isExact && sketch.atoms == 37)
        let approx = try SlicedWassersteinDistance.compute(samples, against: sketch, configuration: Self.config)
        for level in 0..<2 {
            let gap = abs(approx.perLevel[level] - whole.perLevel[level])
            #expect(sketch.sketchBound[level] > 0 && gap <= sketch.sketchBound[level] * 1.001 + 1e-4,
                    "level \(level): |\(approx.perLevel[level]) - \(whole.perLevel[level])| vs bound \(sketch.sketchBound[level])")
        }
    }

    @Test func subsetIsDeterministicAndKeepsSmallSetsWhole() {
        typealias R = MilestoneReference
        #expect(R.subset(count: 5, limit: 8, seed: 0) == [0, 1, 2, 3, 4])
        #expect(R.subset(count: 8, limit: 8, seed: 0) == Array(0..<8))
        let a = R.subset(count: 1000, limit: 100, seed: 0)
        #expect(a == R.subset(count: 1000, limit: 100, seed: 0))
        #expect(a.count == 100 && Set(a).count == 100 && a == a.sorted() && a.allSatisfy { (0..<1000).contains($0) })
        #expect(a != R.subset(count: 1000, limit: 100, seed: 1))
        // Pinned (reference/metrics.py `swd_subset` draws the same): a change here changes every figure.
        #expect(R.subset(count: 10, limit: 4, seed: 0) == Self.pinnedSubset)
    }

    static let pinnedSubset = [1, 4, 5, 9]

    @Test func milestoneReferenceMeasuresAsTheWholeSetFunctions() throws {
        let images = smoothImages(n: 9, c: 3, h: 32, w: 32, seed: 28)
        let samples = smoothImages(n: 2, c: 3, h: 32, w: 32, seed: 29)
        // Nothing subsampled: both numbers as before.
        let all = try MilestoneReference(images: images, configuration: Self.config)
        #expect(all.swdIndices == Array(0..<9) && all.swd.isExact)
        let (nn, swd) = try all.measure(samples)
        #expect(nn == (try NearestNeighbourDistance.compute(samples: samples, training: images)))
        #expect(swd == (try SlicedWassersteinDistance.compute(samples, images, configuration: Self.config)))
        // A subset for SWD: measured against exactly those images; nn-RMSE still against all nine.
        let some = try MilestoneReference(images: images, swdImageLimit: 4, configuration: Self.config)
        #expect(some.swdIndices == MilestoneReference.subset(count: 9, limit: 4, seed: Self.config.seed))
        let subset = Tensor(shape: [4, 3, 32, 32], data: some.swdIndices.flatMap { Array(Self.slice(images, $0..<($0 + 1)).data) })
        let (nn2, swd2) = try some.measure(samples)
        #expect(nn2 == nn)
        #expect(swd2 == (try SlicedWassersteinDistance.compute(samples, subset, configuration: Self.config)))
    }

    /// The fixture's metric sets with a 3-image subset and 200-atom sketch: reference/metrics.py's
    /// `MilestoneReference` gives these numbers (reference/tests/test_milestone_reference.py).
    @Test func milestoneReferenceMatchesTheTwin() throws {
        let file = try SafeTensors.read(path: TrainStepFixtureTests.fixtureURL.path)
        let samples = try file.tensor("metrics.samples"), images = try file.tensor("metrics.reference")
        let reference = try MilestoneReference(images: images, swdImageLimit: 3, atoms: 200)
        let (nn, swd) = try reference.measure(samples)
        #expect(reference.swdIndices == [2, 3, 4])
        #expect(abs(nn.meanRMSE - 0.803821861743927) <= 1e-6)
        let twin: [Float] = [105.21692657470703, 222.3206024169922]
        #expect(zip(swd.perLevel, twin).allSatisfy { abs($0 - $1) <= 1e-4 * $1 }, "\(swd.perLevel) vs the twin's \(twin)")
        #expect(abs(swd.mean - 163.76876831054688) <= 1e-4 * 163.77)
    }

    @Test func floatSortMatchesTheStandardSort() {
        var g = RandomGenerator(seed: 30)
        for n in [0, 1, 5, 2047, 2048, 5000] {
            var v = (0..<n).map { _ in g.normal() * 3 }
            if n > 10 {
                v[0] = 0; v[1] = -0.0; v[2] = .infinity; v[3] = -.infinity; v[4] = v[5]
                v[6] = .leastNonzeroMagnitude; v[7] = -.greatestFiniteMagnitude
            }
            var radix = v
            FloatSort.sort(&radix)
            #expect(radix == v.sorted(), "n=\(n)")
        }
    }

    static func slice(_ x: Tensor, _ r: Range<Int>) -> Tensor {
        let per = x.count / x.shape[0]
        return Tensor(shape: [r.count] + Array(x.shape.dropFirst()), data: Array(x.data[(r.lowerBound * per)..<(r.upperBound * per)]))
    }
}
