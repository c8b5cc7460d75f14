import Commands
import DiffusionEngine
import Foundation
import ImageIO
import TerminalUI
import Testing
import Workbench

/// `ddpm sample`, `visualize`, `render` and the console on a fixture checkpoint.
@Suite struct CommandSampleTests {
    @Test func sampleWritesAGridOfTheRightSize() throws {
        let dir = try CommandFixtures.tempFolder("sample")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        var c = try SampleCommand.parse(["--checkpoint", path, "--count", "4", "--steps", "5"])
        let console = Console.capturing()
        let r = try c.run(console: console)
        #expect(r.path == dir + "/samples/sample-ddim5-seed0.png")
        #expect(r.sampler == .ddim(steps: 5, eta: 0))
        let png = try ImageDecoder.decodeFile(atPath: r.path)
        #expect(png.width == 2 * (8 + 2) + 2 && png.height == 2 * (8 + 2) + 2)
        #expect(console.capturedOutput.contains("wrote \(r.path) (4 images, 5 steps in "))
        // Same seed, same images; another seed, other images.
        let again = try c.run(console: .capturing())
        #expect(again.samples == r.samples)
        c.sampling.seed = 1
        #expect(try c.run(console: .capturing()).samples != r.samples)
    }

    @Test func brokenCheckpointIsOneLine() throws {
        let dir = try CommandFixtures.tempFolder("broken")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/checkpoint.safetensors"
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).write(to: URL(fileURLWithPath: path))
        do {
            try SampleCommand.parse(["--checkpoint", path]).run(console: .capturing())
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains(path) && !text.contains("\n"))
        }
    }

    @Test func visualizeDrawsTwoRowsOfSix() throws {
        let dir = try CommandFixtures.tempFolder("visualize")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        var c = try VisualizeCommand.parse(["--checkpoint", path, "--scale", "2", "--image", "50"])
        let r = try c.run(console: .capturing())
        #expect(r.timesteps == [0, 5, 10, 15, 19])
        #expect(r.forward.shape == [6, 3, 8, 8] && r.reverse.shape == [6, 3, 8, 8])
        let png = try ImageDecoder.decodeFile(atPath: r.path)
        #expect(png.width == 6 * (16 + 4) + 4 && png.height == 2 * (16 + 4) + 4)
        c.image = 51
        #expect(throws: FlagError("--image 51: the dataset has 51 images; pick 0...50")) { try c.run(console: .capturing()) }
    }

    @Test func renderPrintsLabelledHalfBlocks() throws {
        let dir = try CommandFixtures.tempFolder("render")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        var c = try RenderCommand.parse(["--checkpoint", path, "--width", "40", "--color", "16", "--frames", "4"])
        let console = Console.capturing()
        try c.run(console: console)
        let out = console.capturedOutput
        #expect(out.contains("▀"))
        #expect(out.contains("\u{1B}[0;"))
        #expect(!out.contains("38;2;"), "16 colours: no truecolor codes")
        for label in ["t=19", "t=12", "t=6", "x_0"] { #expect(out.contains(label), "label \(label)") }

        // --x0 adds a row of predictions: twice the picture rows, one label row.
        c.showPrediction = true
        let two = Console.capturing()
        try c.run(console: two)
        let rows = { (text: String) in text.split(separator: "\n").filter { $0.contains("▀") }.count }
        #expect(rows(two.capturedOutput) == 2 * rows(out))
        #expect(two.capturedOutput.contains("row 2: the model's x̂_0"))
    }

    @Test func renderStripLayout() {
        let red = Tensor(shape: [1, 3, 2, 2], data: [1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1])
        let text = RenderCommand.strip([("a", red), ("b", red)], width: 9, glyphs: .unicode, mode: .direct)
        let lines = text.split(separator: "\n")
        // Two 4-column frames (2x2 pixels enlarged twice: 4 pixels wide, 2 rows) + a label row.
        #expect(lines.count == 3)
        #expect(text.contains("38;2;255;0;0;48;2;255;0;0m▀"))
    }

    @Test func consoleProgressOnlyOnATerminal() {
        let pipe = Console.capturing(isTerminal: false)
        pipe.progress("step 1")
        pipe.line("done")
        #expect(pipe.capturedOutput == "done\n")
        let tty = Console.capturing(isTerminal: true, columns: 10)
        tty.progress("step 1 of a long line")
        tty.line("done")
        #expect(tty.capturedOutput == "\rstep 1 of\u{1B}[K\r\u{1B}[Kdone\n")
        tty.warn("careful")
        #expect(tty.capturedErrors == "warning: careful\n")
    }
}
