import Testing
import TerminalUI

@Suite struct TerminalUIPlaceholder {
    @Test func builds() { #expect(Bool(true)) }
}
