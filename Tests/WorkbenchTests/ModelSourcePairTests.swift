import DiffusionEngine
import Foundation
import Testing
import Workbench

/// `ddpm --ab`: the workbench's model source trains a lockstep pair, shows A, and offers B and
/// the verdict to the Train screen.
@Suite struct ModelSourcePairTests {
    @Test func aLaunchWithBOptionsTrainsThePair() throws {
        let out = try WorkbenchFixtures.tempFolder("source-pair")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var o = AppFixture.options
        (o.steps, o.saveEvery, o.sampleCount) = (3, 1000, 1)
        var launch = AppLaunch(options: o, data: .builtin, out: out, checkpoint: nil, viewOnly: false, theme: nil)
        var b = o
        b.fixes.loss = .l2
        launch.abOptions = b
        let source = try ModelSource(launch)
        #expect(source.pair?.a === source.session)
        #expect(source.otherRuns().map(\.label) == ["B (loss=l2)"])
        source.start()
        #expect(source.wait(seconds: 120))
        #expect(source.end == .finished)
        #expect(source.snapshot().value.step == 3 && source.otherRuns().first?.snapshot.step == 3)
        #expect(source.verdict?.hasPrefix("too early to tell: 3 steps") == true)
        for side in ["A", "B"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(side)/checkpoint.safetensors"))
        }
    }
}
