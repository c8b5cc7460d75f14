import DiffusionEngine
import Foundation
import Testing
import Workbench

/// Images at the model's channel count: grey data trains as 1 channel when the model asks for it.
@Suite struct DataChannelsTests {
    @Test func greyIsTheLumaOfTheSameRGBImages() throws {
        let rgb = try DataSource.builtin.load(size: 8, channels: 3).set.images
        let grey = try DataSource.builtin.load(size: 8, channels: 1).set.images
        let (n, _, h, w) = rgb.nchw("rgb")
        #expect(grey.shape == [n, 1, h, w])
        let plane = h * w
        for i in [0, n / 2, n - 1] {
            for j in [0, plane / 3, plane - 1] {
                let r = rgb.data[i * 3 * plane + j], g = rgb.data[i * 3 * plane + plane + j], b = rgb.data[i * 3 * plane + 2 * plane + j]
                // Luma of [0,1] values mapped to [-1,1] is the same affine map of the [-1,1] values.
                #expect(abs(grey.data[i * plane + j] - (0.299 * r + 0.587 * g + 0.114 * b)) < 1e-5)
            }
        }
        #expect(throws: EngineError.self) { try DataSource.builtin.load(size: 8, channels: 2) }
    }

    @Test func greyTensorsBecomeGreyImages() {
        let x = Tensor(shape: [2, 1, 2, 2], data: [-1, 0, 1, 0.5, 1, 1, -1, -1])
        let imgs = TensorImages.images(x)
        #expect(imgs.count == 2)
        #expect(imgs[0].pixels == [0, 0.5, 1, 0.75, 0, 0.5, 1, 0.75, 0, 0.5, 1, 0.75])
        #expect(imgs[1].pixels.prefix(4) == [1, 1, 0, 0])
    }

    /// A folder load reports every file; the throttle passes the first and the last call only,
    /// when they come within its interval.
    @Test func folderLoadReportsProgressAndTheThrottleKeepsTheLast() throws {
        let dir = try WorkbenchFixtures.tempFolder("progress")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try WorkbenchFixtures.imageFolder(dir, count: 5)
        var seen: [Int] = []
        let data = try DataSource.folder(path: dir, className: nil).load(size: 8, channels: 3) { done, total in
            #expect(total == 5)
            seen.append(done)
        }
        #expect(data.set.count == 5 && seen.sorted() == [1, 2, 3, 4, 5])
        var shown: [Int] = []
        let throttled = DataSource.throttled(every: 3600) { done, _ in shown.append(done) }
        for done in 1...5 { throttled(done, 5) }
        #expect(shown == [1, 5])
    }
}
