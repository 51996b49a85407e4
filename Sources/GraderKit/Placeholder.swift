public enum GraderKitPlaceholder {}
