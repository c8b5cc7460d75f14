import DiffusionEngine
import Foundation
import ImageIO
import Testing
import TerminalUI
import Workbench

/// The whole run loop on a `MemoryBackend`: the workbench opened on the built-in faces with the
/// `fixture` model (T = 10), training for real on its thread and chains on theirs, driven by
/// scripted keys and read back from the frames it flushed. What `EndToEndTests` does through tmux
/// and a release binary, here in-process and in a few seconds of a debug build.
@Suite struct RunLoopTests {
    static func launch(out: String, checkpoint: String? = nil) throws -> AppLaunch {
        var o = AppFixture.options
        o.steps = 100_000      // training is still running when `q` comes
        o.saveEvery = 100_000  // the only checkpoint is the one quitting writes
        return AppLaunch(options: o, data: .builtin, out: out, checkpoint: try checkpoint.map { try Checkpoint.load(path: $0) }, viewOnly: checkpoint != nil, theme: nil)
    }

    struct NeverDrawn: Error {}

    /// Runs loop steps until the flushed frame contains `text`, at most `seconds`.
    /// - Returns: that frame's text.
    @discardableResult
    func step<B>(_ loop: WorkbenchLoop<B>, _ backend: MemoryBackend, until text: String, seconds: Double = 30,
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var frame = ""
        while Date() < deadline, loop.step() {
            frame = backend.textLines().joined(separator: "\n")
            if frame.contains(text) { return frame }
        }
        Issue.record("never drew \"\(text)\"; the last frame:\n\(frame)", sourceLocation: sourceLocation)
        throw NeverDrawn()
    }

    /// Loading a folder shows its count in the "loading…" message, the last frame before training.
    @Test func loadingAFolderShowsTheCount() throws {
        let out = try WorkbenchFixtures.tempFolder("run-loop-count")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let images = out + "/images"
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        try WorkbenchFixtures.imageFolder(images, count: 3)
        var launch = try Self.launch(out: out + "/run")
        launch.data = .folder(path: images, className: nil)
        let backend = MemoryBackend(width: 100, height: 20)
        let loop = try WorkbenchLoop(launch, backend: backend, stopRequested: { false })
        defer { _ = loop.finish() }
        #expect(backend.textLines().joined().contains("loading data and model… 3/3 images"))
    }

    @Test func keysScreensResizeAndQuitOnTheMemoryBackend() throws {
        let out = try WorkbenchFixtures.tempFolder("run-loop")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let backend = MemoryBackend(width: 160, height: 50)
        let loop = try WorkbenchLoop(try Self.launch(out: out), backend: backend, stopRequested: { false })
        defer { _ = loop.finish() }
        #expect(backend.textLines().joined().contains("loading data and model…"))

        // Every screen: digits, F-keys (digits are screen-local on Denoise and Compare), `?` and back.
        let train = try step(loop, backend, until: "Loss (log scale)")
        #expect(train.contains(" 1 Train  2 Schedule  3 Denoise  4 Compare  5 Help "))
        backend.send(.character("2"))
        try step(loop, backend, until: "t = 5 of 0-9")
        backend.send(.character("3"))
        try step(loop, backend, until: "x_t  (t = 9)")
        backend.send(.right)  // one Denoise step, computed by the chain worker
        try step(loop, backend, until: "x_t  (t = 8)")
        #expect(loop.state.denoise.position == 1)
        backend.send(.function(4))
        try step(loop, backend, until: "Switches: A | B")
        backend.send(.function(5))
        try step(loop, backend, until: "Keys on every screen")
        backend.send(.character("1"))
        try step(loop, backend, until: "Loss by timestep")
        backend.send(.character("?"))
        try step(loop, backend, until: "Keys on every screen")
        #expect(loop.state.screen == .help && loop.state.returnScreen == .train)
        backend.send(.character("?"))
        try step(loop, backend, until: "Loss by timestep")

        // Paused, nothing changes: the loop keeps polling but draws no frame.
        backend.send(.character("p"))
        try step(loop, backend, until: "paused")
        #expect(loop.source.snapshot().value.paused)
        let flushes = backend.flushCount
        for _ in 0..<5 { loop.step() }
        #expect(backend.flushCount == flushes)

        // A resize below the minimum, then back: the frame follows the size.
        backend.resize(width: 60, height: 20)
        try step(loop, backend, until: "Terminal is 60x20")
        #expect(backend.flushed?.width == 60 && backend.flushed?.height == 20)
        backend.resize(width: 100, height: 30)
        try step(loop, backend, until: "Loss (log scale)")
        #expect(backend.textLines().count == 30 && backend.textLines()[0].count == 100)

        // q: the frame says it is saving while training finishes its step and writes the
        // checkpoint; q again gives up the final grid (its sample metrics take seconds in a debug
        // build), never the checkpoint.
        backend.send(.character("q"))
        #expect(loop.step())
        let quitting = backend.textLines().joined(separator: "\n")
        #expect(quitting.contains("quitting") && quitting.contains("saving"), "\(quitting)")
        backend.send(.character("q"))
        #expect(loop.run() == 0)
        #expect(loop.state.skippingFinalGrid)
        let checkpoint = out + "/checkpoint.safetensors"
        #expect(FileManager.default.fileExists(atPath: checkpoint))
        #expect(loop.source.end == .stopped(signal: nil))
        #expect(loop.farewell.contains("checkpoint saved to \(checkpoint). Resume: ddpm --checkpoint \(checkpoint)"), "\(loop.farewell)")

        // That checkpoint opened for viewing (Denoise first); a stop signal closes it with 130.
        let viewer = MemoryBackend(width: 120, height: 40)
        var signalled = false
        let view = try WorkbenchLoop(try Self.launch(out: out, checkpoint: checkpoint), backend: viewer, stopRequested: { signalled })
        defer { _ = view.finish() }
        #expect(viewer.textLines().joined().contains("loading the checkpoint…"))
        try step(view, viewer, until: "x_t  (t = 9)")
        signalled = true
        #expect(view.run() == 130)
        #expect(view.farewell == "ddpm: closed \(checkpoint)")
    }

    /// Denoise's `a`: the whole chain is computed, written as a GIF named after the run and seed
    /// in the run folder (read back with giflib), and the status line says where; a run folder
    /// that has gone is a one-line notice, and the workbench goes on.
    @Test func theGIFKeyWritesTheChainIntoTheRunFolder() throws {
        let base = try WorkbenchFixtures.tempFolder("run-loop-gif")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let out = base + "/run"
        let backend = MemoryBackend(width: 240, height: 50)  // the temporary folder's long name fits the status line
        let loop = try WorkbenchLoop(try Self.launch(out: out), backend: backend, stopRequested: { false })
        defer { _ = loop.finish() }
        try step(loop, backend, until: "Loss (log scale)")
        backend.send(.character("3"))
        try step(loop, backend, until: "x_t  (t = 9)")
        backend.send(.character("a"))
        let frame = try step(loop, backend, until: "GIF written: ")
        #expect(!loop.state.denoise.gifPending)
        let gifs = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".gif") }
        let name = try #require(gifs.first)
        #expect(gifs.count == 1 && name.hasPrefix("run-step") && name.hasSuffix("-seed1.gif"), "\(gifs)")
        #expect(frame.contains("GIF written: \(out)/\(name) (11 frames"), "the status line names the file")
        // T = 10: x_T, the 9 later inputs and x_0, each state once; 8px frames x16.
        let gif = try GIFFile(path: out + "/" + name)
        #expect(gif.frames.count == 11 && gif.width == 19 * 16 && gif.height == 10 * 16)
        #expect(gif.delays.last == 200 && gif.loopCount == 0)

        // The run folder gone (moved away): the next GIF cannot be written, and the notice says why.
        let moved = out + "-moved"
        try FileManager.default.moveItem(atPath: out, toPath: moved)
        defer { try? FileManager.default.moveItem(atPath: moved, toPath: out) }
        backend.send(.character("r"))
        backend.send(.character("a"))
        let failed = try step(loop, backend, until: "does not exist")
        #expect(failed.contains("GIF run-step") && failed.contains("-seed2.gif: the folder \(out) does not exist"), "\(failed)")
        #expect(!loop.state.denoise.gifPending && loop.state.screen == .denoise)
    }
}
