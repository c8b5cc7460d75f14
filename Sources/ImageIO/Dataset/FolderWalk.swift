import Foundation

/// The recursive listing behind `ImageDataset.loadFolder`: which files are images, which earn a
/// warning, and enough counts to explain an empty result.
struct FolderWalk {
    struct Entry {
        /// Path as opened (root + relative).
        var fullPath: String
        /// Path below the root, "/"-separated; the dataset's image name.
        var relativePath: String
    }

    let root: String
    let classFilter: String?
    /// PNG/JPEG files (by magic bytes) that pass the class filter, sorted by relative path.
    private(set) var images: [Entry] = []
    /// Files with an image extension that are not PNG/JPEG, and unreadable folders.
    private(set) var warnings: [ImageError] = []
    /// Files looked at (after the class filter), images or not.
    private(set) var filesSeen = 0
    /// Files the class filter dropped.
    private(set) var filesFilteredOut = 0
    /// Names of the folders met on the way, for "did you mean" in the class-filter error.
    private(set) var folderNames: Set<String> = []

    /// Walks `root`.
    ///
    /// - Throws: `ImageError` when `root` is missing or not a folder.
    init(root: String, classFilter: String?) throws {
        self.root = root
        self.classFilter = classFilter?.isEmpty == true ? nil : classFilter
        var info = stat()
        guard stat(root, &info) == 0 else {
            throw ImageError(file: root, reason: "dataset folder cannot be opened (\(String(cString: strerror(errno)))); pass a folder that holds PNG/JPEG images (searched recursively)")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ImageError(file: root, reason: "is a file, not a folder; pass the folder that holds the images")
        }
        let rootName = URL(fileURLWithPath: root).standardized.lastPathComponent
        var visited: Set<[UInt64]> = [[UInt64(info.st_dev), UInt64(info.st_ino)]]
        visit(relative: "", components: [rootName], visited: &visited)
        images.sort { $0.relativePath < $1.relativePath }
    }

    /// Lists one folder (sorted), recursing into subfolders.
    private mutating func visit(relative: String, components: [String], visited: inout Set<[UInt64]>) {
        let folderPath = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do {
            names = try FolderWalk.list(folderPath)
        } catch let error as ImageError {
            warnings.append(error)
            return
        } catch { return }

        let keep = classFilter.map { components.contains($0) } ?? true
        for name in names.sorted() where !name.hasPrefix(".") {
            let rel = relative.isEmpty ? name : relative + "/" + name
            let full = root + "/" + rel
            var info = stat()
            let ext = (name as NSString).pathExtension.lowercased()
            let looksLikeImage = ImageFormat.imageExtensions.contains(ext)
            guard stat(full, &info) == 0 else {
                if looksLikeImage && keep {
                    warnings.append(ImageError(file: full, reason: "cannot be opened (\(String(cString: strerror(errno))))"))
                }
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                folderNames.insert(name)
                let key = [UInt64(info.st_dev), UInt64(info.st_ino)]
                if visited.contains(key) { continue }  // symlink loop or second link to a folder
                visited.insert(key)
                visit(relative: rel, components: components + [name], visited: &visited)
                continue
            }
            guard (info.st_mode & S_IFMT) == S_IFREG else { continue }
            guard keep else { filesFilteredOut += 1; continue }
            filesSeen += 1
            let format: ImageFormat?
            do {
                format = ImageFormat.sniff(try FolderWalk.head(full))
            } catch let error as ImageError {
                if looksLikeImage { warnings.append(error) }
                continue
            } catch { continue }
            if let format, format.isDecodable {
                images.append(Entry(fullPath: full, relativePath: rel))
            } else if let format {
                warnings.append(ImageError(file: full, reason: "is a \(format.rawValue) image; only PNG and JPEG are supported (skipped)"))
            } else if looksLikeImage {
                let what = info.st_size == 0 ? "is empty" : "has an image extension but is not a PNG or JPEG"
                warnings.append(ImageError(file: full, reason: "\(what) (skipped)"))
            }
        }
    }

    /// The error for a walk that found no image: says what was there and what to do.
    func emptyError() -> ImageError {
        if let classFilter, filesSeen == 0 {
            let known = folderNames.sorted().prefix(12).joined(separator: ", ")
            let hint = known.isEmpty ? "it has no subfolders" : "subfolders found: \(known)"
            return ImageError(file: root, reason: "no files below a folder named '\(classFilter)' (class filter); \(hint)")
        }
        let scope = classFilter.map { " below a folder named '\($0)'" } ?? ""
        let seen = filesSeen == 0 ? "the folder is empty" : "\(filesSeen) other file(s) looked at"
        return ImageError(file: root, reason: "no PNG or JPEG images\(scope) (\(seen)); put images there or pass another folder")
    }

    /// Entry names of a folder (no "." and "..").
    static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            throw ImageError(file: path, reason: "folder cannot be listed (\(String(cString: strerror(errno)))); skipped")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            var raw = entry.pointee.d_name
            let name = withUnsafeBytes(of: &raw) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The first 16 bytes of a file, for sniffing without reading it all.
    static func head(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ImageError(file: path, reason: "cannot be opened (\(String(cString: strerror(errno)))); skipped")
        }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 16)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, 16) }
        guard n >= 0 else {
            throw ImageError(file: path, reason: "cannot be read (\(String(cString: strerror(errno)))); skipped")
        }
        return Array(bytes[0..<n])
    }
}
