// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Secret Store ACL: per-document grants checked by every key server of a consensus.
/// @notice The first account to grant on a document becomes its owner; afterwards only the owner
///         may grant or revoke. checkPermissions (selector b36a9a7c) is the call the key servers make.
///         Who may create server keys (SEC-35, asked only by nodes with key_creators = "contract"):
///         the contract's admin (its deployer) lists creators with setKeyCreator; while nobody is
///         listed anyone may create keys (like a policy file without [[creator]]), once one is listed
///         only listed creators may.
contract SecretStoreAcl {
    mapping(bytes32 => address) private owners;
    mapping(bytes32 => mapping(address => bool)) private granted;
    /// @notice the account that manages the key creators (the deployer)
    address public admin;
    mapping(address => bool) private creators;
    /// @notice how many accounts are listed as key creators; 0: anyone may create keys
    uint256 public keyCreatorCount;

    event OwnerSet(bytes32 indexed document, address indexed owner);
    event PermissionGranted(bytes32 indexed document, address indexed user, address indexed by);
    event PermissionRevoked(bytes32 indexed document, address indexed user, address indexed by);

    event KeyCreatorSet(address indexed creator, bool allowed);

    error NotOwner(bytes32 document, address caller, address owner);
    error NotAdmin(address caller);

    constructor() {
        admin = msg.sender;
    }

    /// @return true when user owns the document or has been granted access to it
    function checkPermissions(address user, bytes32 document) external view returns (bool) {
        address o = owners[document];
        return (o != address(0) && o == user) || granted[document][user];
    }

    /// @return the document's owner, the zero address when nobody granted on it yet
    function owner(bytes32 document) external view returns (address) {
        return owners[document];
    }

    function grantPermission(bytes32 document, address user) external {
        _claimOrRequireOwner(document);
        granted[document][user] = true;
        emit PermissionGranted(document, user, msg.sender);
    }

    function revokePermission(bytes32 document, address user) external {
        address o = owners[document];
        if (o != msg.sender) revert NotOwner(document, msg.sender, o);
        granted[document][user] = false;
        emit PermissionRevoked(document, user, msg.sender);
    }

    /// @notice lists (allowed = true) or unlists a key creator; only the admin may
    function setKeyCreator(address creator, bool allowed) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        if (creators[creator] != allowed) {
            creators[creator] = allowed;
            if (allowed) keyCreatorCount += 1;
            else keyCreatorCount -= 1;
        }
        emit KeyCreatorSet(creator, allowed);
    }

    /// @return true when requester may create server keys: anyone while no creator is listed, else listed creators
    function canCreateKeys(address requester) external view returns (bool) {
        return keyCreatorCount == 0 || creators[requester];
    }

    function _claimOrRequireOwner(bytes32 document) private {
        address o = owners[document];
        if (o == address(0)) {
            owners[document] = msg.sender;
            emit OwnerSet(document, msg.sender);
        } else if (o != msg.sender) {
            revert NotOwner(document, msg.sender, o);
        }
    }
}
