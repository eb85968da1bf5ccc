using System.Security.Cryptography;
using Fog.Oblivious.Maps;

namespace Fog.Oblivious.Tests.Support;

/// <summary>
/// Runs scripted operations against a map and a <see cref="Dictionary{TKey, TValue}"/> model, checking
/// every status, every value and the item count after each step.
/// </summary>
public sealed class MapModel
{
    private readonly IObliviousMap _map;
    private readonly Dictionary<string, byte[]> _model = [];
    private long _phantoms;

    public MapModel(IObliviousMap map, int keyUniverse)
    {
        _map = map;
        Keys = Enumerable.Range(0, keyUniverse).Select(i => KeyFor(i, map.KeySize)).ToArray();
    }

    public byte[][] Keys { get; }

    public int Overflows { get; private set; }

    /// <summary>Key 0 is the all-zero (invalid) key; the others are distinct and nonzero.</summary>
    public static byte[] KeyFor(int index, int size)
    {
        if (index == 0)
        {
            return new byte[size];
        }

        var digest = SHA256.HashData(BitConverter.GetBytes(index));
        var key = new byte[size];
        for (var i = 0; i < size; i++)
        {
            key[i] = digest[i % digest.Length];
        }

        key[0] |= 1;
        return key;
    }

    /// <summary>Interprets 4 script bytes as one operation and checks it.</summary>
    public void Step(byte kind, byte keyByte, byte seed, byte flags)
    {
        var key = Keys[keyByte % Keys.Length];
        var invalid = keyByte % Keys.Length == 0;
        var id = Convert.ToHexString(key);
        var present = _model.TryGetValue(id, out var stored);
        var value = ValueFor(seed, _map.ValueSize);
        // Weighted towards inserts (reads 4/16, writes 5/16, remove 1/16, access 2/16, access-and-remove 1/16,
        // access-and-insert 3/16) so that small maps fill up and overflow.
        switch ((kind % 16) switch { < 4 => 0, < 9 => 1, 9 => 2, < 12 => 3, 12 => 4, _ => 5 })
        {
            case 0:
                {
                    var output = ValueFor(0xEE, _map.ValueSize);
                    var status = _map.Read(key, output);
                    Assert.Equal(Expected(invalid, present), status);
                    Assert.Equal(present && !invalid ? stored : ValueFor(0xEE, _map.ValueSize), output);
                    break;
                }

            case 1:
                {
                    var allowOverwrite = (flags & 1) != 0;
                    var status = _map.VarTimeWrite(key, value, allowOverwrite);
                    if (invalid)
                    {
                        Assert.Equal(ObliviousMapStatus.InvalidKey, status);
                    }
                    else if (present)
                    {
                        Assert.Equal(ObliviousMapStatus.Found, status);
                        if (allowOverwrite)
                        {
                            _model[id] = value;
                        }
                    }
                    else if (status == ObliviousMapStatus.Overflow)
                    {
                        Overflows++;
                    }
                    else
                    {
                        Assert.Equal(ObliviousMapStatus.NotFound, status);
                        _model[id] = value;
                    }

                    break;
                }

            case 2:
                {
                    var status = _map.Remove(key);
                    Assert.Equal(Expected(invalid, present), status);
                    _model.Remove(id);
                    break;
                }

            case 3:
                {
                    var callback = new XorCallback(seed);
                    var status = _map.Access(key, ref callback);
                    Assert.Equal(Expected(invalid, present), status);
                    Assert.Equal(status, callback.Seen);
                    Assert.Equal(present && !invalid ? stored : new byte[_map.ValueSize], callback.Before);
                    if (present && !invalid)
                    {
                        _model[id] = XorCallback.Apply(stored!, seed);
                    }

                    break;
                }

            case 4:
                {
                    var remove = (flags & 3) == 0;
                    var callback = new RemoveIfCallback(remove, seed);
                    var status = _map.AccessAndRemove(key, ref callback);
                    Assert.Equal(Expected(invalid, present), status);
                    if (present && !invalid)
                    {
                        if (remove)
                        {
                            _model.Remove(id);
                        }
                        else
                        {
                            _model[id] = XorCallback.Apply(stored!, seed);
                        }
                    }

                    break;
                }

            default:
                {
                    var callback = new XorCallback(seed);
                    var status = _map.AccessAndInsert(key, value, ref callback);
                    if (invalid)
                    {
                        Assert.Equal(ObliviousMapStatus.InvalidKey, status);
                        break;
                    }

                    if (status == ObliviousMapStatus.Overflow)
                    {
                        // The reference leaves either write possibly rolled back: resynchronise from the map.
                        Overflows++;
                        var output = new byte[_map.ValueSize];
                        if (_map.Read(key, output) == ObliviousMapStatus.Found)
                        {
                            _model[id] = output;
                        }
                        else
                        {
                            _model.Remove(id);
                        }

                        _phantoms = (long)_map.Count - _model.Count;
                        break;
                    }

                    Assert.Equal(present ? ObliviousMapStatus.Found : ObliviousMapStatus.NotFound, status);
                    Assert.Equal(present ? stored : value, callback.Before);
                    _model[id] = XorCallback.Apply(present ? stored! : value, seed);

                    // One item is added either way: the key itself, or the random decoy.
                    if (present)
                    {
                        _phantoms++;
                    }

                    break;
                }
        }

        Assert.Equal((ulong)(_model.Count + _phantoms), _map.Count);
    }

    /// <summary>Checks every key of the universe against the model.</summary>
    public void CheckAll()
    {
        var output = new byte[_map.ValueSize];
        for (var i = 1; i < Keys.Length; i++)
        {
            var present = _model.TryGetValue(Convert.ToHexString(Keys[i]), out var stored);
            Assert.Equal(present ? ObliviousMapStatus.Found : ObliviousMapStatus.NotFound, _map.Read(Keys[i], output));
            if (present)
            {
                Assert.Equal(stored, output);
            }
        }
    }

    public static byte[] ValueFor(byte seed, int size) => Enumerable.Range(0, size).Select(i => (byte)(seed ^ (i * 13))).ToArray();

    private static uint Expected(bool invalid, bool present) =>
        invalid ? ObliviousMapStatus.InvalidKey : present ? ObliviousMapStatus.Found : ObliviousMapStatus.NotFound;

    private struct XorCallback(byte seed) : IObliviousMapAccessor
    {
        public uint Seen { get; private set; }

        public byte[]? Before { get; private set; }

        public static byte[] Apply(byte[] value, byte seed) => value.Select((b, i) => (byte)(b ^ seed ^ i)).ToArray();

        public void Access(uint status, Span<byte> value)
        {
            Seen = status;
            Before = value.ToArray();
            Apply(Before, seed).CopyTo(value);
        }
    }

    private readonly struct RemoveIfCallback(bool remove, byte seed) : IObliviousMapRemover
    {
        public bool AccessAndDecide(uint status, Span<byte> value)
        {
            XorCallback.Apply(value.ToArray(), seed).CopyTo(value);
            return remove;
        }
    }
}
