import Testing
import Workbench

@Suite struct WorkbenchPlaceholder {
    @Test func builds() { #expect(Bool(true)) }
}
