import DiffusionEngine
import Testing
import TerminalUI
import Workbench

/// What the workbench shows about the switches is read off the engine's table (`FixSwitch.allCases`):
/// the Compare screen's rows and notes, the key guide's range and the Help screen.
@Suite struct SwitchTableTests {
    @Test func keyGuideRangeIsTheTableSize() {
        let range = "1-\(FixSwitch.allCases.count)"
        #expect(KeyGuide.switchKeys == range)
        #expect(KeyGuide.compare.first?.keys == range)
        #expect(KeyGuide.hints(for: .compare, viewOnly: false).first?.key == range)
        #expect(AppState.compareSwitches == FixSwitch.allCases)
        let g = AppFixture.frame(AppFixture.input(AppFixture.state(.compare)), width: 160, height: 50)
        #expect(g.textLines().last?.contains("[\(range)] flip B") == true)
    }

    /// Each switch flipped in B, under each sampler: its row carries the note its stages give.
    @Test func compareNotesComeFromWhereASwitchActs() {
        for choice in [SamplerChoice.ddpm, .ddim] {
            let sampler = choice.sampler(ddimSteps: AppState.defaultDDIMSteps)
            for (i, sw) in FixSwitch.allCases.enumerated() {
                var s = AppFixture.state(.compare)
                s.compare.settings.sampler = choice
                s.compare.b = sw.cycled(s.compare.a)
                let lines = AppFixture.frame(AppFixture.input(s), width: 200, height: 60).textLines()
                let row = lines.first { $0.contains("\(i + 1)  \(sw.displayName)") }
                let note = CompareScreen.note(sw, sampler: sampler)
                #expect(row?.contains(note) == true, "\(sw.key) \(choice): \(row ?? "no row")")
                let expected: String
                switch sw.reach(sampler) {
                case .reverseStep: expected = "differs"
                case .forwardProcess: expected = "acts on q_sample: see forward A/B"
                case .trainingOnly: expected = "training only: no effect on sampling"
                case .otherSampler: expected = "DDIM ignores it"
                }
                #expect(note == expected, "\(sw.key) \(choice)")
            }
        }
    }

    /// The notes as they read before the table, switch by switch.
    @Test func compareNotesReadAsBefore() {
        let ddim = SamplerChoice.ddim.sampler(ddimSteps: AppState.defaultDDIMSteps)
        #expect(FixSwitch.allCases.map { CompareScreen.note($0, sampler: .ddpm) } == [
            "acts on q_sample: see forward A/B", "differs", "training only: no effect on sampling", "differs", "differs",
            "differs", "training only: no effect on sampling",
        ])
        #expect(FixSwitch.allCases.map { CompareScreen.note($0, sampler: ddim) } == [
            "acts on q_sample: see forward A/B", "DDIM ignores it", "training only: no effect on sampling", "DDIM ignores it",
            "differs", "DDIM ignores it", "training only: no effect on sampling",
        ])
        // A's model vs B's: a switch of training is why the two models differ.
        #expect(CompareScreen.note(.lossInput, sampler: .ddpm, models: true) == "trained differently")
        #expect(CompareScreen.note(.finalStep, sampler: .ddpm, models: true) == "differs")
    }

    @Test func helpNumbersEverySwitchOfTheTable() {
        let text = HelpScreen.lines(width: 200, theme: .default, glyphs: .unicode).map { $0.spans.map(\.text).joined() }
        for (i, sw) in FixSwitch.allCases.enumerated() {
            #expect(text.contains { $0.hasPrefix("  \(i + 1) \(sw.displayName)") && $0.contains("[\(sw.checklistItem)]") }, "\(sw.key)")
        }
    }
}
