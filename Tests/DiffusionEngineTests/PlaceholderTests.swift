import Testing
import DiffusionEngine

@Suite struct DiffusionEnginePlaceholder {
    @Test func builds() { #expect(Bool(true)) }
}
