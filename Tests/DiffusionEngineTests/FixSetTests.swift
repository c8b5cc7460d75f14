import Foundation
import Testing
import DiffusionEngine

@Suite struct FixSetTests {
    /// Every combination of choices (3·2⁶ = 192 fix sets).
    static var allFixSets: [FixSet] {
        var sets = [FixSet.fixed]
        for sw in FixSwitch.allCases {
            sets = sets.flatMap { base in
                (0..<sw.choiceTokens.count).map { i -> FixSet in
                    var f = base
                    sw.setChoice(i, in: &f)
                    return f
                }
            }
        }
        return sets
    }

    @Test func defaultsAreTheFixedChoices() {
        #expect(FixSet() == .fixed)
        #expect(FixSet.fixed.description == "fwd=precomputed,t0=mean,input=xt,extract=5,clip=on,var=posterior,loss=l1")
        for sw in FixSwitch.allCases { #expect(sw.choiceIndex(in: .fixed) == 0) }
        #expect(FixSet.fixed.shortDescription == "fixed")
    }

    @Test func stringFormRoundTripsForEveryCombination() throws {
        let all = Self.allFixSets
        #expect(all.count == 192)
        #expect(Set(all).count == 192)
        for f in all {
            #expect(try FixSet(parsing: f.description) == f)
            #expect(try FixSet(parsing: f.shortDescription) == f)
        }
    }

    @Test func parsingIsForgiving() throws {
        #expect(try FixSet(parsing: "") == .fixed)
        #expect(try FixSet(parsing: "  ") == .fixed)
        #expect(try FixSet(parsing: " FWD = sqrt-of-sqrt , loss=L2 ").forwardCoefficients == .sqrtOfSqrt)
        #expect(try FixSet(parsing: "loss=l2", base: .course) == { var c = FixSet.course; c.loss = .l2; return c }())
        let courseFixed3 = try FixSet(parsing: "course,t0=mean")
        #expect(courseFixed3.finalStep == .posteriorMean && courseFixed3.lossInput == .x0)
        #expect(try FixSet(parsing: "course") == .course)
        #expect(try FixSet(parsing: "extract=all").extraction == .allNine)
    }

    @Test func parseErrorsNameTheBadTokenAndListValidValues() {
        func message(_ s: String) -> String {
            do { _ = try FixSet(parsing: s); return "" } catch { return "\(error)" }
        }
        let badValue = message("fwd=precomputed,clip=maybe")
        #expect(badValue.contains("\"maybe\""))
        #expect(badValue.contains("on, off"))
        let badKey = message("colour=red")
        #expect(badKey.contains("\"colour\""))
        #expect(badKey.contains("fwd, t0, input, extract, clip, var, loss"))
        let badPreset = message("fast")
        #expect(badPreset.contains("\"fast\"") && badPreset.contains("course, fixed"))
        let badFwd = message("fwd=4th-root")
        #expect(badFwd.contains("precomputed, sqrt-at-call, sqrt-of-sqrt"))
        #expect(message("fwd=precomputed,,loss=l1").contains("empty item"))
    }

    @Test func switchMetadataIsComplete() {
        #expect(FixSwitch.allCases.map(\.checklistItem) == ["FIX 1", "FIX 3", "OPT 2", "OPT 1", "—", "—", "—"])
        for sw in FixSwitch.allCases {
            #expect(sw.choiceNames.count == sw.choiceTokens.count)
            #expect(!sw.displayName.isEmpty && sw.explanation.hasSuffix("."))
            #expect(FixSwitch(key: sw.key) == sw)
            // Cycling visits every choice and comes back.
            var f = FixSet.fixed
            var seen: [Int] = []
            for _ in 0..<sw.choiceTokens.count { seen.append(sw.choiceIndex(in: f)); f = sw.cycled(f) }
            #expect(seen == Array(0..<sw.choiceTokens.count))
            #expect(f == .fixed)
        }
    }

    @Test func differencesListTheChangedSwitches() {
        #expect(FixSet.course.differences(from: .fixed) == [.forwardCoefficients, .finalStep, .lossInput, .extraction])
        #expect(FixSet.fixed.differences(from: .fixed).isEmpty)
    }

    @Test func codableRoundTripAndMissingKeysDefault() throws {
        for f in Self.allFixSets.prefix(40) {
            let back = try JSONDecoder().decode(FixSet.self, from: JSONEncoder().encode(f))
            #expect(back == f)
        }
        let partial = try JSONDecoder().decode(FixSet.self, from: Data(#"{"loss":"l2"}"#.utf8))
        #expect(partial == { var f = FixSet.fixed; f.loss = .l2; return f }())
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FixSet.self, from: Data(#"{"loss":"l3"}"#.utf8))
        }
    }
}
