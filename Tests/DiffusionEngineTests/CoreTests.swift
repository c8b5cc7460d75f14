import Testing
import DiffusionEngine

@Suite struct RandomGeneratorTests {
    @Test func sameSeedSameNumbers() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42)
        #expect(a.normalTensor([100]) == b.normalTensor([100]))
        var c = RandomGenerator(seed: 43)
        #expect(a.normalTensor([10]) != c.normalTensor([10]))
    }

    @Test func normalsHaveUnitVariance() {
        var g = RandomGenerator(seed: 7)
        let x = g.normalTensor([100_000]).data.map(Double.init)
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - 1) < 0.02)
    }

    @Test func stateRestoresExactly() {
        var g = RandomGenerator(seed: 9)
        _ = g.normalTensor([33])
        var copy = RandomGenerator(seed: g.seed, counter: g.counter)
        copy.spareNormal = g.spareNormal
        #expect(g.normalTensor([5]) == copy.normalTensor([5]))
    }

    @Test func permutationIsAPermutation() {
        var g = RandomGenerator(seed: 1)
        let p = g.permutation(51)
        #expect(p.sorted() == Array(0..<51))
        #expect(p != Array(0..<51))
    }
}
