import Foundation
import Testing
import ImageIO

@Suite struct FolderDatasetTests {
    /// An AFHQ-like tree: train/{cat,dog}, val/cat, with a few traps.
    func makeTree() throws -> TempFolder {
        let folder = try TempFolder()
        let png = try PNGEncoder.encode(solid(20, 10, 1, 0, 0))
        let jpeg = try Fixture.bytes("rgb.jpg")
        try folder.write("train/cat/b.png", png)
        try folder.write("train/cat/a.jpg", jpeg)
        try folder.write("train/cat/c.png", jpeg)                  // a JPEG named .png: fine
        try folder.write("train/cat/broken.png", Array(png[0..<40]))  // truncated: warning
        try folder.write("train/cat/notes.txt", Array("hello".utf8)) // ignored silently
        try folder.write("train/cat/anim.gif", Array("GIF89a......".utf8))  // unsupported: warning
        try folder.write("train/cat/.hidden.png", Array("x".utf8))  // hidden: ignored
        try folder.write("train/dog/d.png", png)
        try folder.write("val/cat/e.png", png)
        try folder.write("readme.md", Array("# data".utf8))
        return folder
    }

    @Test func walksRecursivelyInSortedOrderWithWarnings() throws {
        let folder = try makeTree()
        defer { folder.cleanup() }
        let data = try ImageDataset.loadFolder(folder.path)
        #expect(data.names == ["train/cat/a.jpg", "train/cat/b.png", "train/cat/c.png", "train/dog/d.png", "val/cat/e.png"])
        #expect(data.images.count == 5)
        #expect(data.images[1].width == 20 && data.images[1].height == 10)
        let warned = data.warnings.map { URL(fileURLWithPath: $0.file).lastPathComponent }
        #expect(warned == ["anim.gif", "broken.png"])
        #expect(data.warnings.allSatisfy { $0.description.hasPrefix(folder.path) })
    }

    @Test func classFilterKeepsOnlyThatSubfolder() throws {
        let folder = try makeTree()
        defer { folder.cleanup() }
        let cats = try ImageDataset.loadFolder(folder.path, classFilter: "cat")
        #expect(cats.names == ["train/cat/a.jpg", "train/cat/b.png", "train/cat/c.png", "val/cat/e.png"])
        let dogs = try ImageDataset.loadFolder(folder.path, classFilter: "dog")
        #expect(dogs.names == ["train/dog/d.png"])
        #expect(dogs.warnings.isEmpty)  // the broken cat file is not looked at
        // The root itself can be the class folder.
        let direct = try ImageDataset.loadFolder(folder.path + "/train/dog", classFilter: "dog")
        #expect(direct.count == 1)
    }

    @Test func unknownClassListsTheSubfolders() throws {
        let folder = try makeTree()
        defer { folder.cleanup() }
        let error = #expect(throws: ImageError.self) { try ImageDataset.loadFolder(folder.path, classFilter: "wild") }
        #expect(error?.reason.contains("'wild'") == true)
        #expect(error?.reason.contains("cat, dog, train, val") == true)
    }

    @Test func preparationAndThreadsGiveTheSameResult() throws {
        let folder = try makeTree()
        defer { folder.cleanup() }
        let prep = ImagePreparation(size: 8, mode: .eval)
        let one = try ImageDataset.loadFolder(folder.path, preparation: prep, threads: 1)
        let two = try ImageDataset.loadFolder(folder.path, preparation: prep, threads: 2)
        #expect(one.images == two.images && one.names == two.names)
        #expect(one.images.allSatisfy { $0.width == 8 && $0.height == 8 })
    }

    /// Progress counts every PNG/JPEG found, decoded or skipped, one call at a time, up to the total.
    @Test func progressCountsEveryFileOnce() throws {
        let folder = try makeTree()
        defer { folder.cleanup() }
        for threads in [1, 2] {
            let calls = ProgressLog()
            let data = try ImageDataset.loadFolder(folder.path, threads: threads) { calls.append($0, $1) }
            // a.jpg, b.png, c.png, broken.png (found, then skipped), d.png, e.png; not the GIF.
            #expect(data.images.count == 5)
            #expect(calls.values.map(\.done) == Array(1...6), "threads \(threads)")
            #expect(calls.values.allSatisfy { $0.total == 6 })
        }
    }

    @Test func emptyFolderIsAClearError() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        let error = #expect(throws: ImageError.self) { try ImageDataset.loadFolder(folder.path) }
        #expect(error?.file == folder.path)
        #expect(error?.reason.contains("no PNG or JPEG images") == true)
        try folder.write("a/notes.txt", Array("x".utf8))
        let other = #expect(throws: ImageError.self) { try ImageDataset.loadFolder(folder.path) }
        #expect(other?.reason.contains("1 other file") == true)
    }

    @Test func missingFolderAndFileAreClearErrors() throws {
        let missing = #expect(throws: ImageError.self) { try ImageDataset.loadFolder("/nonexistent/afhq") }
        #expect(missing?.description.hasPrefix("/nonexistent/afhq: ") == true)
        #expect(missing?.reason.contains("No such file or directory") == true)
        let file = #expect(throws: ImageError.self) { try ImageDataset.loadFolder(Fixture.path("gray8.png")) }
        #expect(file?.reason.contains("not a folder") == true)
    }

    @Test func allFilesBrokenIsAnError() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        try folder.write("x.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        let error = #expect(throws: ImageError.self) { try ImageDataset.loadFolder(folder.path) }
        #expect(error?.reason.contains("none of the 1") == true)
    }

    @Test func symlinkLoopIsVisitedOnce() throws {
        let folder = try TempFolder()
        defer { folder.cleanup() }
        try folder.write("a/x.png", try PNGEncoder.encode(solid(2, 2, 0, 0, 1)))
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/a/loop", withDestinationPath: folder.path)
        let data = try ImageDataset.loadFolder(folder.path)
        #expect(data.names == ["a/x.png"])
    }
}

@Suite struct BuiltinFacesTests {
    @Test func fiftyOneFacesOf72() throws {
        let data = try BuiltinFaces.dataset()
        #expect(data.count == 51 && BuiltinFaces.count == 51)
        #expect(data.images.allSatisfy { $0.width == 72 && $0.height == 72 })
        #expect(data.names.first == "1f431")  // faces.txt order: cat first
        #expect(data.warnings.isEmpty)
        // Alpha composited over white: the corners of an emoji are transparent -> white, except
        // the unicorn's (1f984), whose mane reaches (0, 0) as RGBA (238, 124, 14, 150).
        for (name, image) in zip(data.names, data.images) {
            if name == "1f984" {
                let a = 150.0 / 255
                expectPixel(image, 0, 0, (238 * a + 255 * (1 - a), 124 * a + 255 * (1 - a), 14 * a + 255 * (1 - a)))
            } else {
                expectPixel(image, 0, 0, (255, 255, 255))
            }
        }
        // And the faces are not blank.
        #expect(data.images.allSatisfy { image in image.pixels.contains { $0 < 0.5 } })
    }

    @Test func preparedForTraining() throws {
        let data = try BuiltinFaces.dataset(preparation: ImagePreparation(size: 32, mode: .train))
        #expect(data.images.allSatisfy { $0.width == 36 && $0.height == 36 })
    }

    @Test func embeddedBytesMatchTheResourceFiles() throws {
        // Catches a stale generated file: rerun scripts/embed-faces after changing Resources.
        let resources = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/ImageIO/Resources/BuiltinFaces").path
        let listed = try String(contentsOfFile: resources + "/faces.txt", encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(listed == BuiltinFaces.names)
        for (i, name) in BuiltinFaces.names.enumerated() {
            #expect(BuiltinFaces.pngBytes(at: i) == (try FileIO.readAll(resources + "/\(name).png")), "\(name)")
        }
        let notice = try String(contentsOfFile: resources + "/NOTICE", encoding: .utf8)
        #expect(notice.trimmingCharacters(in: .whitespacesAndNewlines) == BuiltinFaces.notice)
        #expect(BuiltinFaces.credit.contains("CC-BY 4.0"))
    }
}

/// Progress calls as they came (the loader serialises them; the lock only satisfies the checker).
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [(done: Int, total: Int)] = []
    func append(_ done: Int, _ total: Int) { lock.lock(); calls.append((done, total)); lock.unlock() }
    var values: [(done: Int, total: Int)] { lock.lock(); defer { lock.unlock() }; return calls }
}
