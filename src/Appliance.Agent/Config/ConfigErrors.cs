namespace Appliance.Agent.Config;

/// <summary>Every problem found in a configuration, by dotted key (<c>tunnel.listen[1]</c>); the API answers it as a validation problem.</summary>
public sealed class ConfigErrors
{
    private readonly SortedDictionary<string, List<string>> _byKey = new(StringComparer.Ordinal);

    public int Count => _byKey.Count;

    public void Add(string key, string problem)
    {
        if (!_byKey.TryGetValue(key, out var list))
            _byKey[key] = list = [];
        list.Add(problem);
    }

    public IDictionary<string, string[]> ToDictionary()
    {
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, problems) in _byKey)
            result[key] = [.. problems];
        return result;
    }

    /// <summary>One line per problem: <c>key: problem</c>.</summary>
    public IEnumerable<string> Lines()
    {
        foreach (var (key, problems) in _byKey)
            foreach (var problem in problems)
                yield return $"{key}: {problem}";
    }

    public override string ToString() => string.Join("; ", Lines());
}
