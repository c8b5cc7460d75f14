import ArgumentParser
import Workbench

print("ddpm: under construction")
