namespace SentinelSync.Runtime;

/// <summary>The life of one activation. Only forward transitions happen.</summary>
internal enum ActivationStatus
{
    /// <summary>Created; the activation turn (construct, read state, OnActivateAsync) is queued or running.</summary>
    Activating,

    /// <summary>Calls run.</summary>
    Valid,

    /// <summary>The deactivation turn is queued or running; calls queue up behind it and go to the next activation.</summary>
    Deactivating,

    /// <summary>Gone from the catalog; anything still addressed to it is forwarded.</summary>
    Invalid,
}
