import Testing
import ImageIO

@Suite struct ImageIOPlaceholder {
    @Test func builds() { #expect(Bool(true)) }
}
