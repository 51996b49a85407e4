public enum GraderCorePlaceholder {}
