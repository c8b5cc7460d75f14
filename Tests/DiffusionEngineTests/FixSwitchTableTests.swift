import Foundation
import Testing
import DiffusionEngine

/// The switch table (`FixSwitch.allCases`) is the one description of every switch: the string
/// form, the JSON form and where a switch acts are all read off it, so each is checked here for
/// every entry, and the JSON against the bytes checkpoints have always held.
@Suite struct FixSwitchTableTests {
    /// Every switch on every choice, the others fixed.
    static var singleChanges: [(FixSwitch, Int, FixSet)] {
        FixSwitch.allCases.flatMap { sw in
            sw.choiceTokens.indices.map { i -> (FixSwitch, Int, FixSet) in
                var f = FixSet.fixed
                sw.setChoice(i, in: &f)
                return (sw, i, f)
            }
        }
    }

    @Test func everyEntryIsWellFormedAndUnique() {
        let all = FixSwitch.allCases
        #expect(Set(all.map(\.key)).count == all.count)
        #expect(Set(all.map(\.field)).count == all.count)
        #expect(Set(all).count == all.count)
        for sw in all {
            #expect(Set(sw.choiceTokens).count == sw.choiceTokens.count, "\(sw.key)")
            #expect(sw.choiceTokens.allSatisfy { $0 == $0.lowercased() && !$0.contains(",") && !$0.contains("=") }, "\(sw.key)")
            #expect(!sw.stages.isEmpty, "\(sw.key)")
        }
    }

    @Test func stringFormRoundTripsEverySwitchAndChoice() throws {
        for (sw, i, f) in Self.singleChanges {
            let token = sw.choiceTokens[i]
            #expect(sw.item(in: f) == "\(sw.key)=\(token)")
            #expect(f.description.split(separator: ",").map(String.init) == FixSwitch.allCases.map { $0.item(in: f) })
            #expect(try FixSet(parsing: "\(sw.key)=\(token)") == f)
            #expect(try FixSet(parsing: f.description) == f)
            #expect(f.shortDescription == (i == 0 ? "fixed" : "\(sw.key)=\(token)"))
            #expect(f.differences(from: .fixed) == (i == 0 ? [] : [sw]))
        }
    }

    @Test func jsonRoundTripsEverySwitchAndMissingKeysDefault() throws {
        for (sw, i, f) in Self.singleChanges {
            let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(f)) as! [String: Any]
            #expect(Set(json.keys) == Set(FixSwitch.allCases.map(\.field)))
            #expect(try JSONDecoder().decode(FixSet.self, from: JSONEncoder().encode(f)) == f)
            // The entry's key alone: every other switch takes its default.
            let one = try JSONSerialization.data(withJSONObject: [sw.field: json[sw.field]!])
            #expect(try JSONDecoder().decode(FixSet.self, from: one) == f, "\(sw.key) choice \(i)")
        }
        #expect(try JSONDecoder().decode(FixSet.self, from: Data("{}".utf8)) == .fixed)
    }

    /// The bytes a checkpoint written before the table held: same keys, same raw values (checkpoints
    /// and metrics sort their keys; Foundation's unsorted key order is not stable, so not compared).
    @Test func jsonIsByteCompatibleWithOldCheckpoints() throws {
        let sorted = JSONEncoder()
        sorted.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try sorted.encode(FixSet.fixed), as: UTF8.self)
            == #"{"clipXRecon":true,"extraction":"usedOnly","finalStep":"posteriorMean","forwardCoefficients":"precomputed","loss":"l1","lossInput":"xt","reverseVariance":"posterior"}"#)
        #expect(String(decoding: try sorted.encode(FixSet.course), as: UTF8.self)
            == #"{"clipXRecon":true,"extraction":"allNine","finalStep":"xRecon","forwardCoefficients":"sqrtAtCallTime","loss":"l1","lossInput":"x0","reverseVariance":"posterior"}"#)
        let old = #"{"clipXRecon":false,"extraction":"allNine","finalStep":"xRecon","forwardCoefficients":"sqrtOfSqrt","loss":"l2","lossInput":"x0","reverseVariance":"beta"}"#
        let decoded = try JSONDecoder().decode(FixSet.self, from: Data(old.utf8))
        #expect(decoded == FixSet(forwardCoefficients: .sqrtOfSqrt, finalStep: .xRecon, lossInput: .x0, extraction: .allNine,
                                  clipXRecon: false, reverseVariance: .beta, loss: .l2))
        // A checkpoint from before the last four switches existed.
        #expect(try JSONDecoder().decode(FixSet.self, from: Data(#"{"forwardCoefficients":"sqrtOfSqrt","finalStep":"xRecon"}"#.utf8))
            == FixSet(forwardCoefficients: .sqrtOfSqrt, finalStep: .xRecon))
        // A checkpoint from a later version with a switch this one does not know still loads.
        #expect(try JSONDecoder().decode(FixSet.self, from: Data(#"{"loss":"l2","someFutureSwitch":"on"}"#.utf8)) == FixSet(loss: .l2))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FixSet.self, from: Data(#"{"clipXRecon":"on"}"#.utf8))
        }
    }

    @Test func whereEachSwitchActs() {
        #expect(FixSwitch.allCases.map(\.stages) == [
            [.forwardProcess, .training], [.ddpmStep], [.training], [.ddpmStep], [.ddpmStep, .ddimStep], [.ddpmStep], [.training],
        ])
        let ddim = Sampler.ddim(steps: 10, eta: 0)
        #expect(FixSwitch.allCases.map { $0.reach(.ddpm) } == [
            .forwardProcess, .reverseStep, .trainingOnly, .reverseStep, .reverseStep, .reverseStep, .trainingOnly,
        ])
        #expect(FixSwitch.allCases.map { $0.reach(ddim) } == [
            .forwardProcess, .otherSampler, .trainingOnly, .otherSampler, .reverseStep, .otherSampler, .trainingOnly,
        ])
        #expect(FixSwitch.allCases.filter(\.isTrainingOnly) == [.lossInput, .loss])
        #expect(FixSet.course.differs(from: .fixed, in: .forwardProcess))
        #expect(!FixSet(finalStep: .xRecon, loss: .l2).differs(from: .fixed, in: .forwardProcess))
        #expect(FixSet(loss: .l2).differs(from: .fixed, in: .training))
    }
}
