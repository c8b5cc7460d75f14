import Commands
import DiffusionEngine
import Foundation
import ImageIO
import Testing
import Workbench

/// `ddpm render --gif FILE`: a looping GIF of x_t | x̂_0, read back with giflib's decoder.
@Suite struct CommandRenderGIFTests {
    @Test func writesALoopingEnlargedAnimation() throws {
        let dir = try CommandFixtures.tempFolder("render-gif")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        let console = Console.capturing()
        try RenderCommand.parse(["--checkpoint", path, "--gif", dir + "/chain.gif", "--frames", "5", "--gif-scale", "3"]).run(console: console)
        #expect(console.capturedOutput.contains("wrote \(dir)/chain.gif: 5 frames (x_t | x̂_0), 57x30 (x3), "))
        let gif = try GIFFile(path: dir + "/chain.gif")
        // 8px images: (2·(8+1)+1) x (8+2) = 19x10, times 3.
        #expect(gif.width == 57 && gif.height == 30 && gif.frames.count == 5)
        #expect(gif.loopCount == 0)
        #expect(gif.delays == [6, 6, 6, 6, 200])
        // The white frame around and between the two images, and the last frame's two halves
        // (x_0 beside itself) equal.
        let white = GIFEncoder.index(r: 1, g: 1, b: 1)
        let last = gif.frames[4]
        let rows = (0..<57).allSatisfy { (x: Int) -> Bool in last[x] == white && last[29 * 57 + x] == white }
        #expect(rows, "top and bottom rows")
        let gap = (3..<27).allSatisfy { (y: Int) -> Bool in last[y * 57 + 27] == white }
        #expect(gap, "the gap column")
        let halvesEqual = (3..<27).allSatisfy { (y: Int) -> Bool in
            (3..<27).allSatisfy { (x: Int) -> Bool in last[y * 57 + x] == last[y * 57 + x + 27] }
        }
        #expect(halvesEqual)
        #expect(gif.frames[0] != last, "noise at the start")

        // The default: 64 frames (the chain has T + 1 = 21 states, so 21 distinct), 128/8 = 16x.
        try RenderCommand.parse(["--checkpoint", path, "--gif", dir + "/all.gif"]).run(console: .capturing())
        let all = try GIFFile(path: dir + "/all.gif")
        #expect(all.frames.count == 21 && all.width == 19 * 16)
    }

    /// The Denoise screen's `a` writes its chain through `ChainGIF` as render does: the same
    /// checkpoint, seed and sampler give the same file, byte for byte.
    @Test func theDenoiseChainWritesRendersGIF() throws {
        let dir = try CommandFixtures.tempFolder("render-gif-denoise")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        try RenderCommand.parse(["--checkpoint", path, "--gif", dir + "/render.gif", "--seed", "7"]).run(console: .capturing())
        var run = DenoiseRun(weights: try ModelWeights(checkpoint: Checkpoint.load(path: path)), settings: ChainSettings(seed: 7))
        #expect(ChainGIF.shots(of: run.history) == nil, "not before the chain is finished")
        while run.canStep { run.step() }
        let (shots, predictions) = try #require(ChainGIF.shots(of: run.history))
        let written = try ChainGIF.write(dir + "/denoise.gif", shots: shots, predictions: predictions)
        #expect(written.frames == 21 && written.scale == 16)
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/render.gif"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/denoise.gif"))
        #expect(a == b)
    }

    @Test func unwritableTargetsAreOneLineErrorsBeforeAnyWork() throws {
        let dir = try CommandFixtures.tempFolder("render-gif-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try CommandFixtures.trainedCheckpoint(in: dir)
        #expect(CommandFixtures.parseFailure(RenderCommand.self, ["--checkpoint", path, "--gif", dir])?.message
            == "--gif \(dir): is a folder; name a file, e.g. \(dir)/chain.gif")
        let missing = CommandFixtures.parseFailure(RenderCommand.self, ["--checkpoint", path, "--gif", dir + "/no/such.gif"])
        #expect(missing?.message == "--gif \(dir)/no/such.gif: the folder \(dir)/no does not exist" && missing?.exitCode == 1)
        #expect(CommandFixtures.parseFailure(RenderCommand.self, ["--checkpoint", path, "--gif-scale", "2"])?.message
            == "--gif-scale: applies to --gif only")
    }
}
