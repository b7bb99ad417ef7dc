namespace SentinelSync.Runtime;

/// <summary>Marker for grain interfaces.</summary>
public interface IGrain;

/// <summary>
/// Marker for grain interfaces whose grains are identified by a string key. Every method of such an
/// interface returns <see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/> or
/// <see cref="ValueTask{TResult}"/>; a source generator writes the reference and dispatcher at build time.
/// </summary>
public interface IGrainWithStringKey : IGrain;
