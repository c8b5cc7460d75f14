import ArgumentParser

/// Where training images come from (train, open, visualize, compare).
struct DataFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A folder of PNG/JPEG images, searched recursively (default: the 51 built-in animal faces).",
        valueName: "dir"))
    var data: String?

    @Option(name: .customLong("class"), help: ArgumentHelp(
        "Keep only images below a sub-folder with this name (the course's data_class: cat, dog, wild); needs --data.",
        valueName: "name"))
    var className: String?
}
