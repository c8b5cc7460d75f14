import DiffusionEngine
import Foundation
import TerminalUI

/// How long one frame took, in seconds: rendering (pure), writing (the backend's draw and flush,
/// wall time), and this thread's CPU time while writing, which is less than the wall time when
/// the terminal is slow to read. The run loop draws every frame through `draw` so that the redraw
/// benchmark measures exactly the path a user's frames take.
struct FrameTiming {
    var render: Double
    var output: Double
    var outputCPU: Double

    /// Renders a frame and hands it to the backend.
    /// - Parameter full: forget the previous frame first, so every cell is written (a full redraw).
    @discardableResult
    static func draw<Backend: TerminalBackend>(_ input: FrameInput, on backend: Backend, full: Bool = false) -> FrameTiming {
        let t0 = monotonicSeconds()
        var grid = backend.makeGrid(theme: input.theme)
        AppRenderer.render(input, into: &grid)
        let t1 = monotonicSeconds(), c1 = threadCPUSeconds()
        if full { backend.invalidate() }
        backend.draw(grid)
        backend.flush()
        return FrameTiming(render: t1 - t0, output: monotonicSeconds() - t1, outputCPU: threadCPUSeconds() - c1)
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
